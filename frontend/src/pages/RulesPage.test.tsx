import { screen, waitFor, within } from "@testing-library/react";
import { delay, http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { catalogue, page, rule } from "../test/fixtures";
import { nth, renderApp } from "../test/render";
import { admin, handlers, server, viewer, watchRequests } from "../test/server";
import { readerInTimeZone } from "../test/timeZone";

const metrics = () => http.get("/api/alerts/metrics/", () => HttpResponse.json(catalogue()));

describe("RulesPage", () => {
  it("lists the rules with their condition, state, last value and evaluation", async () => {
    server.use(
      handlers.signedInAs(admin),
      metrics(),
      http.get("/api/alerts/rules/", () =>
        HttpResponse.json(
          page([
            rule({ id: 1, state: "firing", last_value: 91.5, open_alert_id: 7, flapping_since: "2026-11-27T17:10:00Z" }),
            rule({ id: 2, name: "Disk", metric_name: "disk_usage", state: "no_data", last_value: null, is_active: false }),
            rule({ id: 3, name: "Broken", metric_name: "checkout_queue", state: "error", last_error: "no samples", last_evaluated_at: null }),
          ]),
        ),
      ),
    );

    renderApp("/rules");

    const table = await screen.findByRole("table", { name: "Alert rules" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows[0]).toHaveTextContent("High CPU Usage");
    expect(rows[0]).toHaveTextContent("> 80%");
    expect(rows[0]).toHaveTextContent("avg over 5 min");
    expect(rows[0]).toHaveTextContent("Firing Flapping");
    expect(rows[0]).toHaveTextContent("91.5%");
    expect(rows[1]).not.toHaveTextContent("Flapping");
    expect(within(nth(rows, 0)).getByRole("link", { name: "open alert #7" })).toHaveAttribute("href", "/alerts/7");
    expect(rows[1]).toHaveTextContent("No data");
    expect(rows[1]).toHaveTextContent("Off");
    expect(rows[2]).toHaveTextContent("Error");
    expect(rows[2]).toHaveTextContent("no samples");
    expect(rows[2]).toHaveTextContent("not yet");
    expect(screen.getByRole("link", { name: "New rule" })).toHaveAttribute("href", "/rules/new");
  });

  it("says a rule held back by a limit is suppressed, and why, never firing without an alert", async () => {
    const reason = "3 alerts in the last hour (max_alerts_per_hour 3); further alerts held back until 18:00 UTC.";
    server.use(
      handlers.signedInAs(admin),
      metrics(),
      http.get("/api/alerts/rules/", () =>
        HttpResponse.json(
          page([
            rule({ id: 1, state: "suppressed", state_reason: reason, last_value: 91.5, open_alert_id: null }),
            rule({ id: 2, name: "Queue", metric_name: "queue_depth", state: "no_data", state_reason: "No samples of queue_depth yet." }),
            rule({ id: 3, name: "Broken", state: "error", last_error: "value overflowed", state_reason: "" }),
          ]),
        ),
      ),
    );

    renderApp("/rules");

    const table = await screen.findByRole("table", { name: "Alert rules" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows[0]).toHaveTextContent("Suppressed");
    expect(rows[0]).not.toHaveTextContent("Firing");
    expect(rows[0]).toHaveTextContent(reason);
    expect(rows[1]).toHaveTextContent("No data");
    expect(rows[1]).toHaveTextContent("No samples of queue_depth yet.");
    expect(rows[2]).toHaveTextContent("value overflowed");
  });

  it("says the zone of every time it shows: the reader's", async () => {
    readerInTimeZone("Asia/Kolkata");
    server.use(
      handlers.signedInAs(admin),
      metrics(),
      http.get("/api/alerts/rules/", () => HttpResponse.json(page([rule({ last_evaluated_at: "2026-11-27T17:28:00Z" })]))),
    );

    renderApp("/rules");

    const table = await screen.findByRole("table", { name: "Alert rules" });
    // 17:28 UTC is 22:58 in India.
    expect(within(table).getByText(/10:58:00\sPM GMT\+5:30$/)).toBeInTheDocument();
  });

  it("says a rule the engine has not evaluated yet is not evaluated, not OK", async () => {
    server.use(
      handlers.signedInAs(admin),
      metrics(),
      http.get("/api/alerts/rules/", () =>
        HttpResponse.json(
          page([
            rule({ id: 1, name: "New", state: "ok", last_value: null, last_evaluated_at: null }),
            rule({ id: 2, name: "Seen", state: "ok", last_value: 36.2 }),
          ]),
        ),
      ),
    );

    renderApp("/rules");

    const table = await screen.findByRole("table", { name: "Alert rules" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows[0]).toHaveTextContent("Not evaluated yet");
    expect(rows[0]).not.toHaveTextContent("OK");
    expect(rows[0]).toHaveTextContent("not yet");
    expect(rows[1]).toHaveTextContent("OK");
    expect(rows[1]).not.toHaveTextContent("Not evaluated yet");
  });

  it("filters by search, active, severity, metric and state through the address", async () => {
    server.use(handlers.signedInAs(admin), metrics(), http.get("/api/alerts/rules/", () => HttpResponse.json(page([rule()]))));
    const { user } = renderApp("/rules");
    await screen.findByRole("table", { name: "Alert rules" });
    const requests = watchRequests();

    const form = screen.getByRole("search", { name: "Filter the rules" });
    await user.type(within(form).getByLabelText("Search"), "cpu");
    await user.selectOptions(within(form).getByLabelText("Active"), "Active");
    await user.selectOptions(within(form).getByLabelText("Severity"), "High");
    await user.selectOptions(within(form).getByLabelText("Metric"), "cpu_usage");
    await user.selectOptions(within(form).getByLabelText("State"), "Firing");
    await user.click(within(form).getByRole("button", { name: "Apply filters" }));

    const expected = "search=cpu&is_active=true&severity=high&metric_name=cpu_usage&state=firing";
    await waitFor(() => {
      expect(screen.getByTestId("location")).toHaveTextContent(`/rules?${expected}`);
    });
    expect(requests.filter((url) => url.pathname === "/api/alerts/rules/").map((url) => url.search)).toEqual([`?${expected}`]);
  });

  it("shows a pending rule as pending, and filters by a rule label through the address", async () => {
    server.use(
      handlers.signedInAs(admin),
      metrics(),
      http.get("/api/alerts/rules/", () =>
        HttpResponse.json(page([rule({ state: "pending", last_evaluated_at: "2026-11-27T17:27:00Z", labels: { team: "payments" } })])),
      ),
    );
    const { user } = renderApp("/rules");
    const table = await screen.findByRole("table", { name: "Alert rules" });
    expect(within(table).getByText("Pending", { selector: ".badge" })).toBeInTheDocument();
    expect(within(table).getByRole("list", { name: "Labels of High CPU Usage" })).toHaveTextContent("team=payments");
    const requests = watchRequests();

    const form = screen.getByRole("search", { name: "Filter the rules" });
    await user.type(within(form).getByLabelText("Label"), "team:payments");
    await user.selectOptions(within(form).getByLabelText("State"), "Pending");
    await user.click(within(form).getByRole("button", { name: "Apply filters" }));

    const expected = "state=pending&label=team%3Apayments";
    await waitFor(() => {
      expect(screen.getByTestId("location")).toHaveTextContent(`/rules?${expected}`);
    });
    expect(requests.filter((url) => url.pathname === "/api/alerts/rules/").map((url) => url.search)).toEqual([`?${expected}`]);
  });

  it("has loading, empty and error states", async () => {
    server.use(
      handlers.signedInAs(admin),
      metrics(),
      http.get("/api/alerts/rules/", async () => {
        await delay(30);
        return HttpResponse.json({ detail: "Boom." }, { status: 500 });
      }, { once: true }),
      http.get("/api/alerts/rules/", () => HttpResponse.json(page([]))),
    );
    const { user } = renderApp("/rules");

    expect(await screen.findByText("Loading the rules…")).toBeInTheDocument();
    const failure = await screen.findByRole("alert");
    expect(failure).toHaveTextContent("Could not load the alert rules");
    await user.click(within(failure).getByRole("button", { name: "Try again" }));
    expect(await screen.findByText("There are no alert rules yet.")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Create the first rule" })).toHaveAttribute("href", "/rules/new");
  });

  it("offers a viewer no new rule", async () => {
    server.use(handlers.signedInAs(viewer), metrics(), http.get("/api/alerts/rules/", () => HttpResponse.json(page([]))));

    renderApp("/rules");

    expect(await screen.findByText("There are no alert rules yet.")).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: /New rule|Create the first rule/ })).not.toBeInTheDocument();
  });
});
