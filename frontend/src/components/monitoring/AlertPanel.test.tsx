import { screen, within } from "@testing-library/react";
import { delay, http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { alertItem, overview, page } from "../../test/fixtures";
import { nth, renderComponent } from "../../test/render";
import { handlers, nobody, server, watchRequests } from "../../test/server";
import { AlertPanel } from "./AlertPanel";

function panel() {
  return screen.getByRole("region", { name: /Open alerts/ });
}

describe("AlertPanel", () => {
  it("asks for the open alerts, most severe and then newest first, and shows why each fired", async () => {
    const requests = watchRequests();
    server.use(
      handlers.overview(overview({ cpu_usage: 91 })),
      http.get("/api/alerts/history/", () =>
        HttpResponse.json(
          page(
            [
              alertItem({ id: 7, severity: "critical", rule: 2, rule_name: "Checkout backlog", metric_name: "checkout_queue", value: 250, last_value: 260, threshold_value: 100 }),
              alertItem({ id: 3, severity: "high", rule_name: "High CPU Usage", value: 91.5, last_value: 91.5 }),
              alertItem({ id: 9, severity: "low", rule: 3, rule_name: "Drill", manual: true, value: null, last_value: null, message: "Failover drill" }),
            ],
            14,
          ),
        ),
      ),
    );

    renderComponent(<AlertPanel />);

    const items = await within(panel()).findAllByRole("listitem");
    expect(items.map((item) => within(item).getByRole("link").textContent)).toEqual([
      "Checkout backlog",
      "High CPU Usage",
      "Drill",
    ]);
    expect(within(nth(items, 0)).getByRole("link")).toHaveAttribute("href", "/alerts/7");
    expect(items[0]).toHaveTextContent("Critical");
    expect(items[0]).toHaveTextContent("checkout_queue is 260, threshold > 100");
    expect(items[1]).toHaveTextContent("cpu_usage is 91.5%, threshold > 80%");
    expect(items[1]).not.toHaveTextContent("avg over 5 min");
    // A manual alert has no measured value, and its message is what a person wrote.
    expect(items[2]).toHaveTextContent("Triggered by hand");
    expect(items[2]).toHaveTextContent("Failover drill");
    expect(panel()).toHaveTextContent("14");
    expect(panel()).toHaveTextContent("Showing the 3 most severe of 14 open alerts.");
    const history = requests.find((url) => url.pathname === "/api/alerts/history/");
    expect(history?.searchParams.get("status")).toBe("active");
    expect(history?.searchParams.get("ordering")).toBe("severity,-triggered_at");
  });

  it("gathers the alerts of one rule: its name, how many, each group's labels, and the alerts on demand", async () => {
    const failing = (id: number, route: string, value: number) =>
      alertItem({
        id,
        rule: 5,
        severity: "high",
        rule_name: "Failing routes",
        metric_name: "api_error_rate",
        threshold_value: 5,
        value,
        last_value: value,
        group_labels: { route },
        labels: { route, team: "payments" },
      });
    server.use(
      handlers.overview(),
      handlers.alerts([
        alertItem({ id: 7, severity: "critical", rule: 2, rule_name: "Checkout backlog", metric_name: "checkout_queue" }),
        failing(12, "/api/orders/", 12.5),
        alertItem({ id: 3, severity: "high", rule: 1, rule_name: "High CPU Usage" }),
        failing(11, "/api/cart/", 6.5),
      ]),
    );
    const { user } = renderComponent(<AlertPanel />);

    const list = await within(panel()).findByRole("list", { name: "" });
    const cards = within(list).getAllByRole("listitem").filter((item) => item.parentElement === list);
    expect(cards.map((card) => within(card).getAllByRole("link")[0]?.textContent)).toEqual([
      "Checkout backlog",
      "Failing routes",
      "High CPU Usage",
    ]);
    const group = nth(cards, 1);
    expect(group).toHaveTextContent("2 open alerts");
    expect(within(group).getByRole("link", { name: "Failing routes" })).toHaveAttribute("href", "/alerts?status=active&rule=5");
    const groups = within(group).getByRole("list", { name: "Groups of Failing routes open" });
    expect(within(groups).getAllByRole("listitem").map((chip) => chip.textContent)).toEqual([
      "route=/api/orders/",
      "route=/api/cart/",
    ]);
    const toggle = within(group).getByRole("button", { name: "Show the 2 alerts" });
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    expect(within(group).queryByRole("link", { name: /#12/ })).not.toBeInTheDocument();

    await user.click(toggle);

    expect(within(group).getByRole("button", { name: "Hide the alerts" })).toHaveAttribute("aria-expanded", "true");
    const members = within(group).getByRole("list", { name: "Open alerts of Failing routes" });
    expect(within(members).getByRole("link", { name: "#12 route=/api/orders/" })).toHaveAttribute("href", "/alerts/12");
    expect(within(members).getByRole("link", { name: "#11 route=/api/cart/" })).toHaveAttribute("href", "/alerts/11");
    expect(members).toHaveTextContent("12.5%");
  });

  it("says who has each open alert, and which nobody has taken on, in a group too", async () => {
    const failing = (id: number, route: string, acknowledgedBy: string | null) =>
      alertItem({
        id, rule: 5, rule_name: "Failing routes", group_labels: { route },
        acknowledged_at: acknowledgedBy ? "2026-11-27T17:25:00Z" : null,
        acknowledged_by: acknowledgedBy,
      });
    server.use(
      handlers.overview(),
      handlers.alerts([
        alertItem({ id: 7, rule: 2, rule_name: "Checkout backlog", acknowledged_at: "2026-11-27T17:25:00Z", acknowledged_by: "oncall", acknowledged_comment: "On it" }),
        alertItem({ id: 3, rule: 1, rule_name: "High CPU Usage" }),
        failing(12, "/api/orders/", "admin"),
        failing(11, "/api/cart/", null),
      ]),
    );
    const { user } = renderComponent(<AlertPanel />);

    const list = await within(panel()).findByRole("list", { name: "" });
    const cards = within(list).getAllByRole("listitem").filter((item) => item.parentElement === list);
    const acknowledged = nth(cards, 0);
    expect(within(acknowledged).getByText("Acknowledged", { selector: ".badge" })).toBeInTheDocument();
    expect(acknowledged).toHaveTextContent(/· acknowledged by oncall \d+ (s|min|h) ago$/);
    const time = within(acknowledged).getAllByRole("time")[1];
    expect(time).toHaveAttribute("dateTime", "2026-11-27T17:25:00Z");
    const nobodyHasIt = nth(cards, 1);
    expect(nobodyHasIt).toHaveTextContent(/· not acknowledged$/);
    expect(within(nobodyHasIt).queryByText("Acknowledged", { selector: ".badge" })).not.toBeInTheDocument();

    await user.click(within(nth(cards, 2)).getByRole("button", { name: "Show the 2 alerts" }));
    const members = within(within(nth(cards, 2)).getByRole("list", { name: "Open alerts of Failing routes" })).getAllByRole("listitem");
    expect(members[0]).toHaveTextContent(/acknowledged by admin$/);
    expect(members[1]).toHaveTextContent(/· not acknowledged$/);
  });

  it("marks a flapping alert, and a rule's card when one of its groups flaps", async () => {
    server.use(
      handlers.overview(),
      handlers.alerts([
        alertItem({ id: 3, rule: 1, rule_name: "High CPU Usage", flapping: true }),
        alertItem({ id: 7, rule: 2, rule_name: "Checkout backlog" }),
        alertItem({ id: 12, rule: 5, rule_name: "Failing routes", group_labels: { route: "/api/orders/" }, flapping: true }),
        alertItem({ id: 11, rule: 5, rule_name: "Failing routes", group_labels: { route: "/api/cart/" } }),
      ]),
    );
    renderComponent(<AlertPanel />);

    const list = await within(panel()).findByRole("list", { name: "" });
    const cards = within(list).getAllByRole("listitem").filter((item) => item.parentElement === list);
    expect(within(nth(cards, 0)).getByText("Flapping", { selector: ".badge" })).toBeInTheDocument();
    expect(within(nth(cards, 1)).queryByText("Flapping", { selector: ".badge" })).not.toBeInTheDocument();
    expect(within(nth(cards, 2)).getByText("Flapping", { selector: ".badge" })).toBeInTheDocument();
  });

  it("says so when nothing is open", async () => {
    server.use(handlers.overview(), handlers.alerts());

    renderComponent(<AlertPanel />);

    expect(await within(panel()).findByText("No open alerts.")).toBeInTheDocument();
  });

  it("says it is loading, then shows a failure with a way to try again", async () => {
    server.use(
      handlers.overview(),
      http.get("/api/alerts/history/", async () => {
        await delay(50);
        return HttpResponse.json({ detail: "Boom." }, { status: 500 });
      }, { once: true }),
      handlers.alerts([alertItem()]),
    );
    const { user } = renderComponent(<AlertPanel />);

    expect(within(panel()).getByRole("status")).toHaveTextContent("Loading the open alerts…");
    const failure = await within(panel()).findByRole("alert");
    expect(failure).toHaveTextContent("Could not load the open alerts");
    expect(failure).toHaveTextContent("Boom.");

    await user.click(within(failure).getByRole("button", { name: "Try again" }));

    expect(await within(panel()).findByRole("link", { name: "High CPU Usage" })).toBeInTheDocument();
  });

  it("says plainly that a user without the permission may not see alerts, and asks nothing", async () => {
    const requests = watchRequests();

    renderComponent(<AlertPanel />, "/", nobody);

    expect(await within(panel()).findByText("You do not have permission to see alerts.")).toBeInTheDocument();
    expect(requests).toEqual([]);
  });
});
