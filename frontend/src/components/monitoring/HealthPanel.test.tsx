import { act, screen, within } from "@testing-library/react";
import { delay, http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { healthKeys } from "../../hooks/monitoring/useMonitoring";
import { renderComponent } from "../../test/render";
import { handlers, server } from "../../test/server";
import { HealthPanel } from "./HealthPanel";
import { formatAge } from "./UpdatedAgo";

function panel() {
  return screen.getByRole("region", { name: "System health" });
}

describe("HealthPanel", () => {
  it("says it is checking while the first answer is on its way", async () => {
    server.use(
      http.get("/health/", async () => {
        await delay("infinite");
        return HttpResponse.json({});
      }),
    );

    renderComponent(<HealthPanel />);

    expect(await within(panel()).findByRole("status")).toHaveTextContent("Checking system health…");
  });

  it("names the cache check, and says when it is down", async () => {
    server.use(handlers.health({ status: "unavailable", checks: { database: "ok", broker: "ok", cache: "unavailable" } }));

    renderComponent(<HealthPanel />);

    expect(await within(panel()).findByText("Degraded: Cache is unavailable")).toHaveAttribute("role", "status");
    expect(within(panel()).getByRole("heading", { name: "Cache" })).toBeInTheDocument();
  });

  it("shows each check of a healthy system", async () => {
    server.use(handlers.health());

    renderComponent(<HealthPanel />);

    expect(await within(panel()).findByText("All systems operational")).toHaveAttribute("role", "status");
    const cards = within(panel()).getAllByRole("article");
    expect(cards.map((card) => within(card).getByRole("heading").textContent)).toEqual(["Database", "Task broker"]);
    for (const card of cards) {
      expect(card).toHaveTextContent("Operational");
    }
  });

  it("names the failing check when the probe answers 503", async () => {
    server.use(handlers.health({ status: "unavailable", checks: { database: "ok", broker: "unavailable" } }));

    renderComponent(<HealthPanel />);

    expect(await within(panel()).findByText("Degraded: Task broker is unavailable")).toHaveAttribute("role", "status");
    const broker = within(panel()).getByRole("heading", { name: "Task broker" }).closest("article");
    expect(broker).toHaveTextContent("Unavailable");
  });

  it("shows a check it does not know under its own name", async () => {
    server.use(handlers.health({ status: "ok", checks: { database: "ok", broker: "ok", search_index: "ok" } }));

    renderComponent(<HealthPanel />);

    expect(await within(panel()).findByRole("heading", { name: "search_index" })).toBeInTheDocument();
  });

  it("says so when the probe reports no checks", async () => {
    server.use(handlers.health({ status: "ok", checks: {} }));

    renderComponent(<HealthPanel />);

    expect(await within(panel()).findByText("The health probe reported no checks.")).toBeInTheDocument();
    expect(within(panel()).queryAllByRole("article")).toEqual([]);
  });

  it("shows an error with a way to try again", async () => {
    server.use(
      http.get("/health/", () => HttpResponse.text("Bad Gateway", { status: 502 }), { once: true }),
      handlers.health(),
    );
    const { user } = renderComponent(<HealthPanel />);

    const alert = await within(panel()).findByRole("alert");
    expect(alert).toHaveTextContent("Could not check system health");
    expect(alert).toHaveTextContent("HTTP 502");

    await user.click(within(alert).getByRole("button", { name: "Try again" }));

    expect(await within(panel()).findByText("All systems operational")).toBeInTheDocument();
  });

  it("keeps the last result, with a warning, when a refresh fails", async () => {
    server.use(handlers.health());
    const { queryClient } = renderComponent(<HealthPanel />);
    await within(panel()).findByText("All systems operational");

    server.use(http.get("/health/", () => HttpResponse.error()));
    await act(() => queryClient.refetchQueries({ queryKey: healthKeys.all }));

    expect(await within(panel()).findByRole("alert")).toHaveTextContent(/last refresh failed.*Could not reach/i);
    expect(within(panel()).getByText("All systems operational")).toBeInTheDocument();
  });
});

describe("formatAge", () => {
  it.each([
    [0, "0 s ago"],
    [-500, "0 s ago"],
    [59_999, "59 s ago"],
    [60_000, "1 min ago"],
    [3_599_000, "59 min ago"],
    [7_200_000, "2 h ago"],
  ])("%i ms is %s", (milliseconds, text) => {
    expect(formatAge(milliseconds)).toBe(text);
  });
});
