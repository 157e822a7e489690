import { screen, within } from "@testing-library/react";
import { delay, http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { overview } from "../../test/fixtures";
import { renderComponent } from "../../test/render";
import { handlers, server, watchRequests } from "../../test/server";
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
    expect(requests.map((url) => url.pathname + url.search)).toEqual(["/api/monitoring/overview/?minutes=5"]);
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

  it("shows every card of the issue, in order, neutral until rules judge them", async () => {
    server.use(handlers.overview());

    renderComponent(<StatusOverview />);

    await within(section()).findByRole("heading", { level: 3, name: "CPU usage" });
    const titles = within(section())
      .getAllByRole("heading", { level: 3 })
      .map((heading) => heading.textContent);
    expect(titles).toEqual([
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
    for (const article of within(section()).getAllByRole("article")) {
      expect(article).toHaveClass("metric-card--neutral");
    }
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
