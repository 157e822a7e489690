import { screen, within } from "@testing-library/react";
import { delay, http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { TIME_RANGES } from "../../lib/timeRanges";
import { series } from "../../test/fixtures";
import { renderComponent } from "../../test/render";
import { handlers, server, watchRequests } from "../../test/server";
import { PerformanceChart } from "./PerformanceChart";

const [hour, , , week] = TIME_RANGES;

function chart(name: string) {
  return screen.getByRole("figure", { name });
}

describe("PerformanceChart", () => {
  it("says it is loading until every line has arrived", async () => {
    server.use(
      http.get("/api/monitoring/metrics/cpu_usage/series/", () => HttpResponse.json(series("cpu_usage", [1]))),
      http.get("/api/monitoring/metrics/memory_usage/series/", async () => {
        await delay("infinite");
        return HttpResponse.json({});
      }),
    );

    renderComponent(<PerformanceChart title="CPU and memory" metrics={["cpu_usage", "memory_usage"]} range={hour} />);

    expect(await within(chart("CPU and memory")).findByRole("status")).toHaveTextContent("Loading CPU and memory…");
  });

  it("asks for each metric over the range and summarises the points that have data", async () => {
    const requests = watchRequests();
    server.use(
      handlers.series((metric, minutes) =>
        metric === "cpu_usage"
          ? series(metric, [40, null, 10, null, 25.5], { minutes, label: "CPU usage" })
          : series(metric, [null, 60, 61, 62, null], { minutes, label: "Memory usage" }),
      ),
    );

    renderComponent(<PerformanceChart title="CPU and memory" metrics={["cpu_usage", "memory_usage"]} range={week} />);

    const figure = chart("CPU and memory");
    // Gaps are gaps: the lowest CPU value is 10, not the 0 a missing point would be.
    expect(await within(figure).findByText("CPU usage: latest 25.5%, lowest 10%, highest 40%")).toBeInTheDocument();
    expect(within(figure).getByText("Memory usage: latest 62%, lowest 60%, highest 62%")).toBeInTheDocument();
    expect(figure).toHaveTextContent("the last 7 days");
    expect(requests.map((url) => url.pathname + url.search).sort()).toEqual([
      "/api/monitoring/metrics/cpu_usage/series/?minutes=10080",
      "/api/monitoring/metrics/memory_usage/series/?minutes=10080",
    ]);
  });

  it("says there is no data in the range when every point is null", async () => {
    server.use(handlers.series(), handlers.metricLabels());

    renderComponent(<PerformanceChart title="API response time" metrics={["api_response_time"]} range={hour} />);

    expect(await within(chart("API response time")).findByText("No data in the last hour.")).toBeInTheDocument();
  });

  it("shows an error with a way to try again", async () => {
    server.use(
      http.get("/api/monitoring/metrics/:name/series/", () => HttpResponse.text("Bad Gateway", { status: 502 }), {
        once: true,
      }),
      handlers.series((metric, minutes) => series(metric, [3], { minutes, unit: "ms", label: "API response time" })),
      handlers.metricLabels(),
    );
    const { user } = renderComponent(
      <PerformanceChart title="API response time" metrics={["api_response_time"]} range={hour} />,
    );

    const alert = await within(chart("API response time")).findByRole("alert");
    expect(alert).toHaveTextContent("Could not load API response time");
    expect(alert).toHaveTextContent("HTTP 502");

    await user.click(within(alert).getByRole("button", { name: "Try again" }));

    expect(await within(chart("API response time")).findByText(/latest 3 ms/)).toBeInTheDocument();
  });

  it("offers no series choice for a metric without labelled series", async () => {
    server.use(handlers.series((metric, minutes) => series(metric, [3], { minutes })), handlers.metricLabels());

    renderComponent(<PerformanceChart title="API error rate" metrics={["api_error_rate"]} range={hour} />);

    expect(await within(chart("API error rate")).findByText(/latest 3%/)).toBeInTheDocument();
    expect(within(chart("API error rate")).queryByLabelText("Split by")).not.toBeInTheDocument();
  });

  it("shows only the series with one label value, or splits into the top series by a label, a line each", async () => {
    const requests = watchRequests();
    server.use(
      handlers.metricLabels((metric) => ({ metric, labels: { route: ["/api/cart/", "/api/orders/"], method: ["GET"] }, truncated: [] })),
      http.get("/api/monitoring/metrics/:name/series/", ({ request }) => {
        const params = new URL(request.url).searchParams;
        const answer = series("api_error_rate", [2, 3], { label: "API error rate" });
        if (params.get("split_by") === "route") {
          const byRoute = (route: string, values: number[]) => ({
            labels: { route },
            points: series("api_error_rate", values).points,
          });
          return HttpResponse.json({ ...answer, split_by: "route", series: [byRoute("/api/orders/", [10, 12.5]), byRoute("/api/cart/", [1, 0.5])] });
        }
        if (params.get("label") === "route:/api/orders/") return HttpResponse.json(series("api_error_rate", [9, 11], { label: "API error rate" }));
        return HttpResponse.json(answer);
      }),
    );
    const { user } = renderComponent(<PerformanceChart title="API error rate" metrics={["api_error_rate"]} range={hour} />);
    const figure = chart("API error rate");
    expect(await within(figure).findByText("API error rate: latest 3%, lowest 2%, highest 3%")).toBeInTheDocument();

    await user.selectOptions(await within(figure).findByLabelText("Series"), "route=/api/orders/");

    expect(await within(figure).findByText("API error rate: latest 11%, lowest 9%, highest 11%")).toBeInTheDocument();
    const filtered = requests.filter((url) => url.searchParams.has("label"));
    expect(filtered.map((url) => url.searchParams.getAll("label"))).toEqual([["route:/api/orders/"]]);

    await user.selectOptions(within(figure).getByLabelText("Series"), "All series");
    await user.selectOptions(within(figure).getByLabelText("Split by"), "route");

    expect(await within(figure).findByText("route=/api/orders/: latest 12.5%, lowest 10%, highest 12.5%")).toBeInTheDocument();
    expect(within(figure).getByText("route=/api/cart/: latest 0.5%, lowest 0.5%, highest 1%")).toBeInTheDocument();
    const split = requests.filter((url) => url.searchParams.has("split_by"));
    expect(split.map((url) => url.search)).toEqual(["?minutes=60&split_by=route&top=5"]);
  });
});
