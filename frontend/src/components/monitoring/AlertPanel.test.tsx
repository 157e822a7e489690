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
              alertItem({ id: 7, severity: "critical", rule_name: "Checkout backlog", metric_name: "checkout_queue", value: 250, last_value: 260, threshold_value: 100 }),
              alertItem({ id: 3, severity: "high", rule_name: "High CPU Usage", value: 91.5, last_value: 91.5 }),
              alertItem({ id: 9, severity: "low", rule_name: "Drill", manual: true, value: null, last_value: null, message: "Failover drill" }),
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
