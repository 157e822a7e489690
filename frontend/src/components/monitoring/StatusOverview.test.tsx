import { screen, waitFor, within } from "@testing-library/react";
import { delay, http, HttpResponse } from "msw";
import { beforeEach, describe, expect, it } from "vitest";
import { healthEntry, openCounts, overview } from "../../test/fixtures";
import { renderComponent } from "../../test/render";
import { handlers, nobody, server, viewer, watchRequests } from "../../test/server";
import { StatusOverview } from "./StatusOverview";

function section() {
  return screen.getByRole("region", { name: "Current status" });
}

function card(title: string) {
  const heading = within(section()).getByRole("heading", { level: 3, name: title });
  const article = heading.closest("article");
  if (!article) throw new Error(`no card titled ${title}`);
  return article;
}

describe("StatusOverview", () => {
  beforeEach(() => {
    // No rules and no open alerts unless a test says otherwise.
    server.use(handlers.metricHealth(), handlers.openAlertCounts());
  });

  it("says it is loading until the overview arrives", async () => {
    server.use(
      http.get("/api/monitoring/overview/", async () => {
        await delay("infinite");
        return HttpResponse.json({});
      }),
    );

    renderComponent(<StatusOverview />);

    expect(await within(section()).findByRole("status")).toHaveTextContent("Loading current status…");
  });

  it("asks for the last 5 minutes and shows each value with its unit", async () => {
    const requests = watchRequests();
    server.use(
      handlers.overview(
        overview({
          cpu_usage: 36.2,
          memory_usage: 61.04,
          disk_usage: 12,
          api_response_time: 123.4,
          api_error_rate: 0.5,
          api_request_count: 1234,
          db_query_time: 1.25,
          celery_workers: 2,
          celery_queue_length: 0,
          celery_failed_tasks: 0,
          active_users: 3,
        }),
      ),
    );

    renderComponent(<StatusOverview />);

    expect(await within(section()).findByText("36.2%")).toBeInTheDocument();
    expect(card("CPU usage")).toHaveTextContent("36.2%");
    expect(requests.map((url) => url.pathname + url.search).sort()).toEqual([
      "/api/alerts/metric-health/",
      "/api/alerts/open-alerts/",
      "/api/monitoring/overview/?minutes=5",
    ]);
    expect(card("CPU usage")).toHaveTextContent("average, last 5 min");
    expect(card("Memory usage")).toHaveTextContent("61%");
    expect(card("Disk usage")).toHaveTextContent("12%");
    expect(card("API response time")).toHaveTextContent("123 ms");
    expect(card("API error rate")).toHaveTextContent("0.5%");
    expect(card("API requests")).toHaveTextContent("1,234 requests");
    expect(card("API requests")).toHaveTextContent("total, last 5 min");
    expect(card("Active users")).toHaveTextContent("3 users");
    expect(card("Active users")).toHaveTextContent("distinct, last 5 min");
    // A true zero is a value, not missing data.
    const celery = card("Celery");
    expect(within(celery).getByText("Celery workers").nextElementSibling).toHaveTextContent("2 workers");
    expect(within(celery).getByText("Queue length").nextElementSibling).toHaveTextContent("0 messages");
    expect(within(celery).getByText("Failed tasks").nextElementSibling).toHaveTextContent("0 tasks");
    expect(celery).not.toHaveClass("metric-card--no-data");
  });

  it("says 'No data' where the API has none, never 0", async () => {
    server.use(handlers.overview(overview({ db_query_time: 2.5 })));

    renderComponent(<StatusOverview />);

    const cpu = await within(section()).findByRole("heading", { level: 3, name: "CPU usage" });
    expect(card("CPU usage")).toHaveTextContent("No data");
    expect(card("CPU usage")).not.toHaveTextContent(/\d%/);
    expect(cpu.closest("article")).toHaveClass("metric-card--no-data");
    // A group with some data: the missing reading says so, the card is not marked empty.
    const database = card("Database");
    expect(within(database).getByText("Database connections").nextElementSibling).toHaveTextContent("No data");
    expect(within(database).getByText("Database query time").nextElementSibling).toHaveTextContent("2.5 ms");
    expect(database).not.toHaveClass("metric-card--no-data");
    expect(card("Redis")).toHaveClass("metric-card--no-data");
  });

  it("shows the cards the catalogue places, in its order, and no metric it does not place", async () => {
    const body = overview({ error_count: 4, ai_cost: 1.5 });
    // As if the catalogue placed errors on a card of their own between the CPU and the memory.
    body.metrics = body.metrics.map((metric) =>
      metric.name === "error_count" ? { ...metric, card: { title: "Errors", order: 15 } } : metric,
    );
    server.use(handlers.overview(body));

    renderComponent(<StatusOverview />);

    await within(section()).findByRole("heading", { level: 3, name: "Errors" });
    const titles = within(section())
      .getAllByRole("heading", { level: 3 })
      .map((heading) => heading.textContent);
    expect(titles.slice(0, 4)).toEqual(["Open alerts", "CPU usage", "Errors", "Memory usage"]);
    expect(card("Errors")).toHaveTextContent("4 errors");
    // AI cost has no place on the cards.
    expect(within(section()).queryByText("AI cost")).not.toBeInTheDocument();
  });

  it("shows every card of the issue, in order, neutral until rules judge them", async () => {
    server.use(handlers.overview());

    renderComponent(<StatusOverview />);

    await within(section()).findByRole("heading", { level: 3, name: "CPU usage" });
    await within(section()).findByText("none open");
    const titles = within(section())
      .getAllByRole("heading", { level: 3 })
      .map((heading) => heading.textContent);
    expect(titles).toEqual([
      "Open alerts",
      "CPU usage",
      "Memory usage",
      "Disk usage",
      "API response time",
      "API error rate",
      "API requests",
      "Database",
      "Redis",
      "Celery",
      "Cache hit rate",
      "Active users",
    ]);
    // No rule watches any of them: nothing has judged them, so no colour and no verdict.
    for (const article of within(section()).getAllByRole("article").slice(1)) {
      expect(article).toHaveClass("metric-card--neutral");
      expect(article).not.toHaveTextContent(/OK|Warning|Critical/);
    }
    expect(card("Open alerts")).toHaveClass("metric-card--ok");
  });

  it("colours each card by the active rules on its metrics, and says what the colour rests on", async () => {
    server.use(
      handlers.overview(overview({ cpu_usage: 95, memory_usage: 40, disk_usage: 50, celery_workers: 1 })),
      handlers.metricHealth([
        healthEntry({ metric_name: "cpu_usage", active_rules: 2, ok: 1, firing: 1, worst_firing_severity: "critical", health: "critical" }),
        healthEntry({ metric_name: "memory_usage", active_rules: 1, ok: 0, firing: 1, worst_firing_severity: "low", health: "warning" }),
        healthEntry({ metric_name: "disk_usage", active_rules: 1, ok: 1 }),
        // One of the Celery card's metrics without data: the whole card is a warning.
        healthEntry({ metric_name: "celery_queue_length", active_rules: 1, ok: 0, no_data: 1, health: "warning" }),
        healthEntry({ metric_name: "celery_workers", active_rules: 1, ok: 1 }),
      ]),
    );

    renderComponent(<StatusOverview />);

    await within(section()).findByText("95%");
    await waitFor(() => {
      expect(card("CPU usage")).toHaveClass("metric-card--critical");
    });
    expect(card("CPU usage")).toHaveTextContent("Critical");
    expect(card("CPU usage")).toHaveTextContent("1 of 2 rules firing");
    expect(card("Memory usage")).toHaveClass("metric-card--warning");
    expect(card("Memory usage")).toHaveTextContent("Warning");
    expect(card("Disk usage")).toHaveClass("metric-card--ok");
    expect(card("Disk usage")).toHaveTextContent("1 rule, none firing");
    expect(card("Celery")).toHaveClass("metric-card--warning");
    expect(card("Celery")).toHaveTextContent("1 without data");
    // No rule on it: neutral, no verdict.
    expect(card("API requests")).toHaveClass("metric-card--neutral");
  });

  it("says a card's rules are suppressed by a limit, not that none fires", async () => {
    server.use(
      handlers.overview(overview({ cpu_usage: 95 })),
      handlers.metricHealth([
        healthEntry({ metric_name: "cpu_usage", active_rules: 1, ok: 0, suppressed: 1, health: "warning" }),
      ]),
    );

    renderComponent(<StatusOverview />);

    await within(section()).findByText("95%");
    await waitFor(() => {
      expect(card("CPU usage")).toHaveTextContent("1 suppressed by a limit");
    });
    expect(card("CPU usage")).not.toHaveTextContent("none firing");
  });

  it("counts the open alerts by severity in their own card", async () => {
    server.use(handlers.overview(), handlers.openAlertCounts(openCounts({ critical: 1, low: 2 })));

    renderComponent(<StatusOverview />);

    await within(section()).findByText("1 critical, 2 low");
    const open = card("Open alerts");
    expect(open).toHaveTextContent("3");
    expect(open).toHaveClass("metric-card--critical");
    expect(within(open).getByRole("link", { name: "See the open alerts" })).toHaveAttribute("href", "/alerts?status=active");
  });

  it("leaves out what the user may not read: no rules' verdicts, no open alerts card", async () => {
    const requests = watchRequests();
    server.use(handlers.overview(overview({ cpu_usage: 5 })));

    renderComponent(<StatusOverview />, "/", { ...viewer, permissions: ["monitoring.view_metricsample"] });

    await within(section()).findByText("5%");
    expect(within(section()).queryByRole("heading", { name: "Open alerts" })).not.toBeInTheDocument();
    expect(requests.map((url) => url.pathname)).toEqual(["/api/monitoring/overview/"]);
    expect(nobody.permissions).toEqual([]);
  });

  it("keeps the values, uncoloured, with a warning, when the rules' verdicts cannot be loaded", async () => {
    server.use(
      handlers.overview(overview({ cpu_usage: 5 })),
      http.get("/api/alerts/metric-health/", () => HttpResponse.json({ detail: "Boom." }, { status: 500 })),
    );

    renderComponent(<StatusOverview />);

    expect(await within(section()).findByText(/verdicts could not be loaded \(Boom\.\)/)).toHaveAttribute("role", "alert");
    expect(card("CPU usage")).toHaveTextContent("5%");
    expect(card("CPU usage")).toHaveClass("metric-card--neutral");
  });

  it("says so when the server reports none of the dashboard's metrics", async () => {
    server.use(handlers.overview({ generated_at: "2026-11-27T17:28:40Z", window_minutes: 5, metrics: [] }));

    renderComponent(<StatusOverview />);

    expect(await within(section()).findByText("The server reported none of the dashboard's metrics.")).toBeInTheDocument();
  });

  it("shows an error with a way to try again", async () => {
    server.use(
      http.get("/api/monitoring/overview/", () => HttpResponse.json({ detail: "Boom." }, { status: 500 }), { once: true }),
      handlers.overview(overview({ cpu_usage: 5 })),
    );
    const { user } = renderComponent(<StatusOverview />);

    const alert = await within(section()).findByRole("alert");
    expect(alert).toHaveTextContent("Could not load the current status");
    expect(alert).toHaveTextContent("Boom.");

    await user.click(within(alert).getByRole("button", { name: "Try again" }));

    expect(await within(section()).findByText("5%")).toBeInTheDocument();
  });
});
