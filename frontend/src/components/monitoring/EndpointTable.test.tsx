import { screen, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { TIME_RANGES } from "../../lib/timeRanges";
import { endpoints, route } from "../../test/fixtures";
import { nth, renderComponent } from "../../test/render";
import { handlers, server, watchRequests } from "../../test/server";
import { EndpointTable } from "./EndpointTable";

const [hour, , , week] = TIME_RANGES;

function panel() {
  return screen.getByRole("region", { name: "API routes" });
}

describe("EndpointTable", () => {
  it("ranks routes in a table, with no data said as such", async () => {
    server.use(
      handlers.endpoints(
        endpoints([
          route({ route: "/api/alerts/rules/", method: "GET", count: 1200, status_5xx: 6, error_rate: 0.5, p95_ms: 310 }),
          route({ service: "checkout", route: "/orders/{id}", method: "GET", count: 40, p95_ms: 120 }),
          route({ route: "/api/monitoring/errors/bulk/", count: 0, avg_ms: null, p95_ms: null, max_ms: null, error_rate: null }),
        ]),
      ),
    );

    renderComponent(<EndpointTable range={hour} />);

    const table = await within(panel()).findByRole("table", {
      name: "API routes ranked by 95th percentile response time, the last hour",
    });
    const rows = within(table).getAllByRole("row");
    expect(rows).toHaveLength(4);
    const [first, other, second] = [nth(rows, 1), nth(rows, 2), nth(rows, 3)];
    // Each route with the service it belongs to: this server's own, or one exporting over OTLP.
    expect(within(first).getByRole("rowheader")).toHaveTextContent("resee GET /api/alerts/rules/");
    expect(within(other).getByRole("rowheader")).toHaveTextContent("checkout GET /orders/{id}");
    expect(first).toHaveTextContent("1,200");
    expect(first).toHaveTextContent("0.5%");
    expect(first).toHaveTextContent("310 ms");
    expect(second).toHaveTextContent("no data");
  });

  it("asks for the ranking chosen, over at most a day", async () => {
    const requests = watchRequests();
    server.use(handlers.endpoints(endpoints([route()])));
    const { user } = renderComponent(<EndpointTable range={week} />);
    await within(panel()).findByRole("table");

    await user.selectOptions(within(panel()).getByLabelText("Rank by"), "5xx rate");

    expect(
      await within(panel()).findByRole("table", {
        name: "API routes ranked by 5xx rate, the last 24 hours (the longest the API ranks)",
      }),
    ).toBeInTheDocument();
    expect(requests.map((url) => url.search)).toEqual([
      "?minutes=1440&ordering=p95_ms&limit=10",
      "?minutes=1440&ordering=error_rate&limit=10",
    ]);
  });

  it("says when there were no requests", async () => {
    server.use(handlers.endpoints());

    renderComponent(<EndpointTable range={hour} />);

    expect(await within(panel()).findByText("No API requests in the last hour.")).toBeInTheDocument();
  });

  it("shows an error", async () => {
    server.use(http.get("/api/monitoring/endpoints/", () => HttpResponse.json({ detail: "No." }, { status: 403 })));

    renderComponent(<EndpointTable range={hour} />);

    expect(await within(panel()).findByRole("alert")).toHaveTextContent("Could not load the routesNo.");
  });
});
