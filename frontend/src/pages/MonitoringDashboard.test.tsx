import { act, screen, waitFor, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, it, vi } from "vitest";
import { overview, series } from "../test/fixtures";
import { renderApp } from "../test/render";
import { admin, handlers, SELF_HEALTH_PATH, server, watchRequests } from "../test/server";

function paths(requests: URL[]): string[] {
  return requests.map((url) => url.pathname + url.search);
}

describe("MonitoringDashboard", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("shows the status cards, the health, the charts and the routes", async () => {
    server.use(
      handlers.signedInAs(admin),
      // The first handler for a request answers it.
      handlers.overview(overview({ cpu_usage: 12.5 })),
      handlers.series((metric, minutes) => series(metric, [1, 2], { minutes })),
      ...handlers.dashboard(),
    );

    renderApp("/dashboard");

    expect(await screen.findByRole("heading", { level: 1, name: "Dashboard" })).toBeInTheDocument();
    expect(await screen.findByText("12.5%")).toBeInTheDocument();
    expect(await screen.findByText("All systems operational")).toBeInTheDocument();
    for (const name of ["API response time", "API error rate", "API requests", "CPU and memory"]) {
      expect(screen.getByRole("figure", { name })).toBeInTheDocument();
    }
    expect(screen.getByRole("region", { name: "API routes" })).toBeInTheDocument();
    // First on the page: the open alerts (none here).
    const panel = screen.getByRole("region", { name: "Open alerts" });
    expect(await within(panel).findByText("No open alerts.")).toBeInTheDocument();
    expect(screen.getAllByRole("region")[0]).toBe(panel);
  });

  it("draws the charts the catalogue places, in its order", async () => {
    const body = overview();
    body.metrics = body.metrics.map((metric) =>
      metric.name === "error_count" ? { ...metric, chart: { title: "Errors", order: 5 } } : metric,
    );
    server.use(
      handlers.signedInAs(admin),
      handlers.overview(body),
      handlers.series((metric, minutes) => series(metric, [1, 2], { minutes })),
      ...handlers.dashboard(),
    );

    renderApp("/dashboard");

    expect(await screen.findByRole("figure", { name: "Errors" })).toBeInTheDocument();
    const titles = screen
      .getAllByRole("figure")
      .map((figure) => figure.getAttribute("aria-label") ?? within(figure).getAllByRole("heading")[0]?.textContent);
    expect(titles).toEqual(["Errors", "API response time", "API error rate", "API requests", "CPU and memory"]);
  });

  it("switches every chart and the routes to the range chosen, and keeps it in the address", async () => {
    server.use(handlers.signedInAs(admin), ...handlers.dashboard());
    const { user } = renderApp("/dashboard");
    await screen.findAllByText("No data in the last hour.");
    const requests = watchRequests();

    await user.click(screen.getByRole("radio", { name: "6 h (the last 6 hours)" }));

    await waitFor(() => {
      expect(screen.getAllByText("No data in the last 6 hours.")).toHaveLength(4);
    });
    expect(screen.getByTestId("location")).toHaveTextContent("/dashboard?range=6h");
    expect(paths(requests).sort()).toEqual([
      "/api/monitoring/endpoints/?minutes=360&ordering=p95_ms&limit=10",
      "/api/monitoring/metrics/api_error_rate/series/?minutes=360",
      "/api/monitoring/metrics/api_request_count/series/?minutes=360",
      "/api/monitoring/metrics/api_response_time/series/?minutes=360",
      "/api/monitoring/metrics/cpu_usage/series/?minutes=360",
      "/api/monitoring/metrics/memory_usage/series/?minutes=360",
    ]);
    expect(screen.getByRole("radio", { name: "6 h (the last 6 hours)" })).toBeChecked();
  });

  it("opens at the range in the address", async () => {
    const requests = watchRequests();
    server.use(handlers.signedInAs(admin), ...handlers.dashboard());

    renderApp("/dashboard?range=7d");

    await waitFor(() => {
      expect(screen.getAllByText("No data in the last 7 days.")).toHaveLength(4);
    });
    expect(screen.getByRole("radio", { name: "7 d (the last 7 days)" })).toBeChecked();
    expect(paths(requests)).toContain("/api/monitoring/metrics/cpu_usage/series/?minutes=10080");
    expect(paths(requests)).toContain("/api/monitoring/endpoints/?minutes=1440&ordering=p95_ms&limit=10");
  });

  it("refreshes everything every 30 s and says how old the data is, until paused", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    server.use(handlers.signedInAs(admin), ...handlers.dashboard());
    const { user } = renderApp("/dashboard");
    await screen.findAllByText("No data in the last hour.");
    await screen.findByText("All systems operational");
    // The layout's self-health poll is not the page's, and is not paused with it.
    const requests = watchRequests({ ignore: [SELF_HEALTH_PATH] });
    expect(screen.getByText("Auto-refresh every 30 s")).toBeInTheDocument();

    await act(() => vi.advanceTimersByTimeAsync(12_000));
    expect(screen.getByText(/^Updated/)).toHaveTextContent(/Updated 1[23] s ago/);
    expect(requests).toHaveLength(0);

    await act(() => vi.advanceTimersByTimeAsync(18_500));
    // Health, overview, five series, the routes, the open alerts, their counts and the rules'
    // verdicts: everything on the page, once.
    expect(paths(requests).map((path) => path.split("?")[0]).sort()).toEqual([
      "/api/alerts/history/",
      "/api/alerts/metric-health/",
      "/api/alerts/open-alerts/",
      "/api/monitoring/endpoints/",
      "/api/monitoring/metrics/api_error_rate/series/",
      "/api/monitoring/metrics/api_request_count/series/",
      "/api/monitoring/metrics/api_response_time/series/",
      "/api/monitoring/metrics/cpu_usage/series/",
      "/api/monitoring/metrics/memory_usage/series/",
      "/api/monitoring/overview/",
      "/health/",
    ]);
    expect(screen.getByText(/^Updated/)).toHaveTextContent(/Updated [01] s ago/);

    await user.click(screen.getByRole("button", { name: "Pause auto-refresh" }));
    expect(screen.getByText("Auto-refresh paused")).toBeInTheDocument();
    expect(screen.getByText("Auto-refresh paused.")).toHaveAttribute("role", "status");
    await act(() => vi.advanceTimersByTimeAsync(95_000));
    expect(requests).toHaveLength(11);
    expect(screen.getByText(/^Updated/)).toHaveTextContent("Updated 1 min ago");

    await user.click(screen.getByRole("button", { name: "Resume auto-refresh" }));
    await act(() => vi.advanceTimersByTimeAsync(30_500));
    expect(requests).toHaveLength(22);
  });

  it("refreshes on demand and announces it, keeping the focus on the button", async () => {
    server.use(handlers.signedInAs(admin), ...handlers.dashboard());
    const { user } = renderApp("/dashboard");
    await screen.findAllByText("No data in the last hour.");
    const requests = watchRequests();

    const button = screen.getByRole("button", { name: "Refresh now" });
    await user.click(button);

    expect(await screen.findByText(/^Refreshed at/)).toHaveAttribute("role", "status");
    expect(requests).toHaveLength(11);
    expect(button).toHaveFocus();
  });

  it("keeps what it showed, with a warning, when a refresh fails", async () => {
    server.use(
      handlers.signedInAs(admin),
      handlers.overview(overview({ cpu_usage: 12.5 })),
      ...handlers.dashboard(),
    );
    const { user } = renderApp("/dashboard");
    await screen.findByText("12.5%");

    server.use(http.get("/api/monitoring/overview/", () => HttpResponse.error()));
    await user.click(screen.getByRole("button", { name: "Refresh now" }));

    const status = screen.getByRole("region", { name: "Current status" });
    expect(await within(status).findByRole("alert")).toHaveTextContent(/last refresh failed.*Could not reach/i);
    expect(within(status).getByText("12.5%")).toBeInTheDocument();
  });
});
