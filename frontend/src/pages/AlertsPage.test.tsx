import { screen, waitFor, within } from "@testing-library/react";
import { delay, http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { alertDetail, alertItem, catalogue, page, rule } from "../test/fixtures";
import { nth, renderApp } from "../test/render";
import { admin, handlers, nobody, server, viewer, watchRequests } from "../test/server";

function common() {
  return [
    handlers.signedInAs(admin),
    http.get("/api/alerts/rules/", () => HttpResponse.json(page([rule({ id: 1 }), rule({ id: 2, name: "Checkout backlog" })]))),
    http.get("/api/alerts/metrics/", () => HttpResponse.json(catalogue())),
  ];
}

function list() {
  return screen.getByRole("table", { name: "Alerts" });
}

describe("AlertsPage", () => {
  it("lists open and resolved alerts with value, threshold and how each ended", async () => {
    server.use(
      ...common(),
      handlers.alerts([
        alertItem({ id: 2, status: "active" }),
        alertItem({ id: 1, status: "resolved", resolved_at: "2026-11-27T17:30:00Z", resolved_by: "oncall", notes: "fixed" }),
        alertItem({ id: 3, status: "resolved", resolved_at: "2026-11-27T17:31:00Z", resolved_by: null, rule: null, rule_name: "Gone" }),
      ]),
    );

    renderApp("/alerts");

    expect(await screen.findByRole("heading", { level: 2, name: "3 alerts" })).toBeInTheDocument();
    const rows = within(list()).getAllByRole("row").slice(1);
    expect(rows[0]).toHaveTextContent("#2 High CPU Usage");
    expect(rows[0]).toHaveTextContent("91.5%");
    expect(rows[0]).toHaveTextContent("> 80%");
    expect(rows[0]).toHaveTextContent("Open");
    expect(rows[1]).toHaveTextContent("by oncall");
    expect(rows[2]).toHaveTextContent("by the system");
    expect(within(nth(rows, 0)).getByRole("link", { name: "#2 High CPU Usage" })).toHaveAttribute("href", "/alerts/2");
  });

  it("applies the filters through the address and asks the API for exactly them", async () => {
    server.use(...common(), handlers.alerts([alertItem()]));
    const { user } = renderApp("/alerts");
    await screen.findByRole("heading", { level: 2, name: "1 alert" });
    const requests = watchRequests();

    const filters = screen.getByRole("search", { name: "Filter the alert history" });
    await user.selectOptions(within(filters).getByLabelText("Status"), "Resolved");
    await user.selectOptions(within(filters).getByLabelText("Severity"), "Critical");
    await user.selectOptions(within(filters).getByLabelText("Rule"), "Checkout backlog");
    await user.click(within(filters).getByRole("button", { name: "Apply filters" }));

    await waitFor(() => {
      expect(screen.getByTestId("location")).toHaveTextContent("/alerts?status=resolved&severity=critical&rule=2");
    });
    await user.selectOptions(screen.getByLabelText("Sort by"), "Most severe first");
    await waitFor(() => {
      expect(screen.getByTestId("location")).toHaveTextContent("ordering=severity%2C-triggered_at");
    });
    const asked = requests.filter((url) => url.pathname === "/api/alerts/history/").map((url) => url.search);
    expect(asked).toEqual([
      "?status=resolved&severity=critical&rule=2",
      "?status=resolved&severity=critical&rule=2&ordering=severity%2C-triggered_at",
    ]);
  });

  it("filters by a label, name:value, through the address and the API's ?label=", async () => {
    server.use(
      ...common(),
      handlers.alerts([alertItem({ id: 12, rule_name: "Failing routes", group_labels: { route: "/api/orders/" } })]),
    );
    const { user } = renderApp("/alerts");
    const rows = await within(await screen.findByRole("table", { name: "Alerts" })).findAllByRole("row");
    expect(within(nth(rows, 1)).getByRole("list", { name: "Group of alert #12" })).toHaveTextContent("route=/api/orders/");
    const requests = watchRequests();

    const filters = screen.getByRole("search", { name: "Filter the alert history" });
    const label = within(filters).getByLabelText("Label");
    expect(label).toHaveAccessibleDescription("name:value, the rule's or the group's (team:payments).");
    await user.type(label, "route:/api/orders/");
    await user.click(within(filters).getByRole("button", { name: "Apply filters" }));

    await waitFor(() => {
      expect(screen.getByTestId("location")).toHaveTextContent("/alerts?label=route%3A%2Fapi%2Forders%2F");
    });
    await waitFor(() => {
      expect(requests.some((url) => url.pathname === "/api/alerts/history/" && url.searchParams.get("label") === "route:/api/orders/")).toBe(true);
    });
  });

  it("searches the history's text through the address and the API's ?search=", async () => {
    server.use(...common(), handlers.alerts([alertItem({ id: 12, rule_name: "High CPU Usage" })]));
    const { user } = renderApp("/alerts");
    await screen.findByRole("table", { name: "Alerts" });
    const requests = watchRequests();

    const filters = screen.getByRole("search", { name: "Filter the alert history" });
    await user.type(within(filters).getByRole("searchbox", { name: "Search" }), "  restarted worker ");
    await user.keyboard("{Enter}");

    await waitFor(() => {
      expect(screen.getByTestId("location")).toHaveTextContent("/alerts?search=restarted+worker");
    });
    await waitFor(() => {
      expect(requests.some((url) => url.pathname === "/api/alerts/history/" && url.searchParams.get("search") === "restarted worker")).toBe(true);
    });
  });

  it("keeps the search of the address in the search box", async () => {
    server.use(...common(), handlers.alerts([]));
    renderApp("/alerts?search=disk%20full");
    const filters = await screen.findByRole("search", { name: "Filter the alert history" });
    expect(within(filters).getByRole("searchbox", { name: "Search" })).toHaveValue("disk full");
  });

  it("marks the open alerts someone has acknowledged, with who, and not the resolved ones", async () => {
    server.use(
      ...common(),
      handlers.alerts([
        alertItem({ id: 4, status: "active", acknowledged_at: "2026-11-27T17:25:00Z", acknowledged_by: "oncall" }),
        alertItem({ id: 3, status: "active" }),
        alertItem({
          id: 2, status: "resolved", resolved_at: "2026-11-27T17:30:00Z", resolved_by: "oncall",
          acknowledged_at: "2026-11-27T17:25:00Z", acknowledged_by: "oncall",
        }),
      ]),
    );

    renderApp("/alerts");

    const rows = within(await screen.findByRole("table", { name: "Alerts" })).getAllByRole("row").slice(1);
    const status = (row: number) => nth(rows, row).querySelectorAll("td")[3];
    expect(status(0)).toHaveTextContent("OpenAcknowledgedby oncall");
    expect(status(1)).toHaveTextContent(/^Open$/);
    expect(status(2)).toHaveTextContent(/^Resolved$/);
  });

  it("filters by acknowledged or not through the address and the API's ?acknowledged=", async () => {
    server.use(...common(), handlers.alerts([alertItem()]));
    const { user } = renderApp("/alerts?acknowledged=false");
    await screen.findByRole("heading", { level: 2, name: "1 alert" });
    const filters = screen.getByRole("search", { name: "Filter the alert history" });
    const acknowledged = within(filters).getByLabelText("Acknowledged");
    expect(acknowledged).toHaveValue("false");
    expect(within(acknowledged).getAllByRole("option").map((option) => option.textContent)).toEqual([
      "Acknowledged or not",
      "Acknowledged",
      "Not acknowledged",
    ]);
    const requests = watchRequests();

    await user.selectOptions(acknowledged, "Acknowledged");
    await user.selectOptions(within(filters).getByLabelText("Status"), "Open");
    await user.click(within(filters).getByRole("button", { name: "Apply filters" }));
    await waitFor(() => {
      expect(screen.getByTestId("location")).toHaveTextContent(/^\/alerts\?status=active&acknowledged=true$/);
    });
    await user.selectOptions(within(screen.getByRole("search", { name: "Filter the alert history" })).getByLabelText("Acknowledged"), "Acknowledged or not");
    await user.click(within(screen.getByRole("search", { name: "Filter the alert history" })).getByRole("button", { name: "Apply filters" }));
    await waitFor(() => {
      expect(screen.getByTestId("location")).toHaveTextContent(/^\/alerts\?status=active$/);
    });
    const asked = requests.filter((url) => url.pathname === "/api/alerts/history/").map((url) => url.search);
    expect(asked).toEqual(["?status=active&acknowledged=true", "?status=active"]);
  });

  it("marks open alerts silenced, inhibited or flapping, each as a chip beside its status", async () => {
    server.use(
      ...common(),
      handlers.alerts([
        alertItem({ id: 6, status: "active", silenced_by: { silences: [3], maintenance_windows: [] } }),
        alertItem({ id: 5, status: "active", silenced_by: { silences: [], maintenance_windows: [2] }, inhibited_by: [9], flapping: true }),
        alertItem({ id: 4, status: "resolved", resolved_at: "2026-11-27T17:30:00Z", inhibited_by: [9] }),
      ]),
    );

    renderApp("/alerts");

    const rows = within(await screen.findByRole("table", { name: "Alerts" })).getAllByRole("row").slice(1);
    const status = (row: number) => nth(rows, row).querySelectorAll("td")[3];
    expect(status(0)).toHaveTextContent(/^OpenSilenced$/);
    expect(status(1)).toHaveTextContent(/^OpenSilencedInhibitedFlapping$/);
    expect(status(2)).toHaveTextContent(/^Resolved$/);
  });

  it("filters by silenced, inhibited and flapping through the address and the API's query", async () => {
    server.use(...common(), handlers.alerts([alertItem()]));
    const { user } = renderApp("/alerts?silenced=true");
    await screen.findByRole("heading", { level: 2, name: "1 alert" });
    const filters = () => screen.getByRole("search", { name: "Filter the alert history" });
    expect(within(filters()).getByLabelText("Silenced")).toHaveValue("true");
    const requests = watchRequests();

    await user.selectOptions(within(filters()).getByLabelText("Silenced"), "Not silenced");
    await user.selectOptions(within(filters()).getByLabelText("Inhibited"), "Inhibited");
    await user.selectOptions(within(filters()).getByLabelText("Flapping"), "Flapping");
    await user.click(within(filters()).getByRole("button", { name: "Apply filters" }));
    await waitFor(() => {
      expect(screen.getByTestId("location")).toHaveTextContent(/^\/alerts\?silenced=false&inhibited=true&flapping=true$/);
    });
    const asked = requests.filter((url) => url.pathname === "/api/alerts/history/").map((url) => url.search);
    expect(asked).toEqual(["?silenced=false&inhibited=true&flapping=true"]);
  });

  it("opens at the filters and page in the address", async () => {
    const requests = watchRequests();
    server.use(...common(), http.get("/api/alerts/history/", () => HttpResponse.json(page([alertItem()], 120))));

    renderApp("/alerts?status=active&page=2&bogus=1&severity=nope");

    expect(await screen.findByText(/51–51 of 120 alerts · page 2 of 3/)).toBeInTheDocument();
    expect(requests.find((url) => url.pathname === "/api/alerts/history/")?.search).toBe("?status=active&page=2");
    expect(screen.getByLabelText("Status")).toHaveValue("active");
  });

  it("says it is loading, then that nothing matches, with a way to clear the filters", async () => {
    server.use(
      ...common(),
      http.get("/api/alerts/history/", async () => {
        await delay(30);
        return HttpResponse.json(page([]));
      }),
    );
    const { user } = renderApp("/alerts?severity=low");

    expect(await screen.findByText("Loading the alert history…")).toBeInTheDocument();
    expect(await screen.findByText("No alerts match these filters.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Clear filters" }));
    await waitFor(() => {
      expect(screen.getByTestId("location")).toHaveTextContent(/^\/alerts$/);
    });
    expect(await screen.findByText("No alert has fired yet.")).toBeInTheDocument();
  });

  it("shows a failure with a way to try again", async () => {
    server.use(
      ...common(),
      http.get("/api/alerts/history/", () => HttpResponse.json({ detail: "Boom." }, { status: 500 }), { once: true }),
      handlers.alerts([alertItem()]),
    );
    const { user } = renderApp("/alerts");

    const failure = await screen.findByRole("alert");
    expect(failure).toHaveTextContent("Could not load the alert history");
    await user.click(within(failure).getByRole("button", { name: "Try again" }));
    expect(await screen.findByRole("heading", { level: 2, name: "1 alert" })).toBeInTheDocument();
  });

  it("says plainly when the user may not read the history (403)", async () => {
    server.use(
      handlers.signedInAs(nobody),
      http.get("/api/alerts/history/", () =>
        HttpResponse.json({ detail: "You do not have permission to perform this action." }, { status: 403 }),
      ),
    );

    renderApp("/alerts");

    const failure = await screen.findByRole("alert");
    expect(failure).toHaveTextContent("You do not have permission to see the alert history");
    expect(within(failure).queryByRole("button", { name: "Try again" })).not.toBeInTheDocument();
    // Nor is anything offered that would only answer 403.
    expect(screen.queryByRole("button", { name: "Trigger an alert…" })).not.toBeInTheDocument();
  });

  it("offers no manual trigger to a viewer", async () => {
    server.use(handlers.signedInAs(viewer), ...common().slice(1), handlers.alerts([alertItem()]));

    renderApp("/alerts");

    await screen.findByRole("heading", { level: 2, name: "1 alert" });
    expect(screen.queryByRole("button", { name: "Trigger an alert…" })).not.toBeInTheDocument();
  });

  it("triggers an alert by hand, and on a 409 links to the alert already open", async () => {
    const bodies: unknown[] = [];
    server.use(
      ...common(),
      handlers.alerts([]),
      http.post("/api/alerts/trigger/", async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json({ detail: "This rule already has an active alert (5).", alert_id: 5 }, { status: 409 });
      }, { once: true }),
      http.post("/api/alerts/trigger/", () => HttpResponse.json(alertDetail({ id: 8, rule_name: "Checkout backlog", manual: true }), { status: 201 })),
      handlers.csrf(),
    );
    const { user } = renderApp("/alerts");
    await screen.findByText("No alert has fired yet.");

    await user.click(screen.getByRole("button", { name: "Trigger an alert…" }));
    const dialog = screen.getByRole("dialog", { name: "Trigger an alert by hand" });
    expect(within(dialog).getByLabelText("Rule")).toHaveFocus();
    await user.click(within(dialog).getByRole("button", { name: "Trigger alert" }));
    expect(within(dialog).getByText("Choose the rule whose alert to fire.")).toBeInTheDocument();
    await within(dialog).findByRole("option", { name: "Checkout backlog" });
    await user.selectOptions(within(dialog).getByLabelText("Rule"), "Checkout backlog");
    await user.type(within(dialog).getByLabelText("Message"), "Failover drill");
    await user.click(within(dialog).getByRole("button", { name: "Trigger alert" }));

    const conflict = await within(dialog).findByText(/already has an active alert/);
    expect(conflict).toHaveTextContent("This rule already has an active alert (5). Open alert #5");
    expect(within(dialog).getByRole("link", { name: "Open alert #5" })).toHaveAttribute("href", "/alerts/5");
    expect(bodies).toEqual([{ rule_id: 2, message: "Failover drill" }]);

    await user.click(within(dialog).getByRole("button", { name: "Trigger alert" }));

    await waitFor(() => {
      expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    });
    const opened = await screen.findByText(/Alert #8 opened for “Checkout backlog”/);
    // Announced: inside the page's outcome region.
    expect(opened.closest('[role="status"]')).not.toBeNull();
    expect(screen.getByRole("link", { name: "Open it" })).toHaveAttribute("href", "/alerts/8");
  });
});
