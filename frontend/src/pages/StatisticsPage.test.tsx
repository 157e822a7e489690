import { screen, waitFor, within } from "@testing-library/react";
import { delay, http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { stats } from "../test/fixtures";
import { renderApp } from "../test/render";
import { admin, handlers, server, watchRequests } from "../test/server";

function statsHandler() {
  return http.get("/api/alerts/stats/", ({ request }) => {
    const days = Number(new URL(request.url).searchParams.get("days"));
    return HttpResponse.json(
      stats({ days, acknowledged_in_period: 2, mean_time_to_acknowledge_seconds: 90, p90_time_to_acknowledge_seconds: 120 }),
    );
  });
}

function figure(label: string) {
  return screen.getByText(label, { selector: "dt" }).nextElementSibling;
}

describe("StatisticsPage", () => {
  it("shows the totals, frequency, severities, top rules, metrics, time to resolve and to acknowledge, and channels", async () => {
    server.use(handlers.signedInAs(admin), statsHandler());

    const { user } = renderApp("/statistics");

    await screen.findByText("Alerts triggered", { selector: "dt" });
    expect(figure("Alerts triggered")).toHaveTextContent("3");
    expect(figure("Of those, by hand")).toHaveTextContent("1");
    expect(figure("Mean time to resolve")).toHaveTextContent("12 min 30 s");
    expect(figure("Acknowledged in the period")).toHaveTextContent("2");
    expect(figure("Mean time to acknowledge")).toHaveTextContent("1 min 30 s");
    expect(figure("Time to acknowledge, 90th percentile")).toHaveTextContent("2 min");
    expect(screen.getByRole("figure", { name: "Alerts triggered per day" })).toBeInTheDocument();
    const severity = screen.getByRole("list", { name: "Alerts by severity" });
    expect(within(severity).getAllByRole("listitem").map((item) => item.textContent)).toEqual([
      "Critical1",
      "High2",
      "Medium0",
      "Low0",
    ]);
    const rules = screen.getByRole("list", { name: "The rules that fired most" });
    expect(within(rules).getByRole("link", { name: "High CPU Usage" })).toHaveAttribute("href", "/rules/1");
    expect(rules).toHaveTextContent("Old rule (deleted)");
    expect(screen.getByRole("list", { name: "Alerts by metric" })).toHaveTextContent("checkout_queue");
    const channels = screen.getByRole("table", { name: "Notifications per channel" });
    const rows = within(channels).getAllByRole("row").slice(1);
    expect(rows[0]).toHaveTextContent(/Slack\s*75%\s*3\s*1/);
    expect(rows[1]).toHaveTextContent(/Email\s*—/);

    await user.click(screen.getByRole("radio", { name: "Per hour" }));
    expect(screen.getByRole("figure", { name: "Alerts triggered per hour" })).toBeInTheDocument();
    expect(screen.getByTestId("location")).toHaveTextContent("/statistics?by=hour");
  });

  it("asks for the period chosen, and keeps it in the address", async () => {
    const requests = watchRequests();
    server.use(handlers.signedInAs(admin), statsHandler());
    const { user } = renderApp("/statistics");
    await screen.findByText(/\(the last 7 days\)\./);

    await user.click(screen.getByRole("radio", { name: /^30 d/ }));

    await screen.findByText(/\(the last 30 days\)\./);
    expect(screen.getByTestId("location")).toHaveTextContent("/statistics?days=30");
    await user.type(screen.getByLabelText("Other (1–90 days)"), "2");
    await user.click(screen.getByRole("button", { name: "Show" }));
    await screen.findByText(/\(the last 2 days\)\./);
    // Per hour is offered up to a week; beyond that it is not.
    await user.click(screen.getByRole("radio", { name: /^90 d/ }));
    await screen.findByText(/\(the last 90 days\)\./);
    expect(screen.getByRole("radio", { name: "Per hour" })).toBeDisabled();
    expect(requests.filter((url) => url.pathname === "/api/alerts/stats/").map((url) => url.search)).toEqual([
      "?days=7",
      "?days=30",
      "?days=2",
      "?days=90",
    ]);
  });

  it("opens at the period in the address, ignoring one out of range", async () => {
    const requests = watchRequests();
    server.use(handlers.signedInAs(admin), statsHandler());

    renderApp("/statistics?days=365");

    await screen.findByText(/\(the last 7 days\)\./);
    expect(requests.find((url) => url.pathname === "/api/alerts/stats/")?.search).toBe("?days=7");
  });

  it("says it is loading, then shows a failure with a way to try again", async () => {
    server.use(
      handlers.signedInAs(admin),
      http.get("/api/alerts/stats/", async () => {
        await delay(30);
        return HttpResponse.json({ detail: "Boom." }, { status: 500 });
      }, { once: true }),
      statsHandler(),
    );
    const { user } = renderApp("/statistics");

    expect(await screen.findByText("Loading the statistics…")).toBeInTheDocument();
    const failure = await screen.findByRole("alert");
    expect(failure).toHaveTextContent("Could not load the alert statistics");
    await user.click(within(failure).getByRole("button", { name: "Try again" }));
    await waitFor(() => {
      expect(figure("Alerts triggered")).toHaveTextContent("3");
    });
  });

  it("says so when nothing fired in the period", async () => {
    server.use(
      handlers.signedInAs(admin),
      http.get("/api/alerts/stats/", () =>
        HttpResponse.json(
          stats({ total: 0, manual: 0, by_severity: { critical: 0, high: 0, medium: 0, low: 0 }, by_status: { active: 0, resolved: 0 }, by_rule: [], by_metric: [], per_day: [{ date: "2026-11-27", count: 0 }], mean_time_to_resolve_seconds: null }),
        ),
      ),
    );

    renderApp("/statistics");

    expect(await screen.findByText("No rule fired in this period.")).toBeInTheDocument();
    expect(screen.getByText("No metric had an alert in this period.")).toBeInTheDocument();
    expect(screen.getByText("No day had an alert")).toBeInTheDocument();
    expect(figure("Mean time to resolve")).toHaveTextContent("—");
    expect(figure("Mean time to acknowledge")).toHaveTextContent("—");
    expect(figure("Time to acknowledge, 90th percentile")).toHaveTextContent("—");
  });
});
