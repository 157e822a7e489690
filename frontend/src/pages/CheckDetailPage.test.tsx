import { screen, waitFor, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { check, heartbeat } from "../test/fixtures";
import { renderApp } from "../test/render";
import { admin, handlers, server, viewer } from "../test/server";
import type { CheckResult } from "../types/checks";

const website = check({ headers: { "X-Probe": "resee" }, body_contains: "Welcome" });
const results: CheckResult[] = [
  { at: "2026-11-27T17:00:00Z", up: true, response_time_ms: 120, status_code: 200, error: "" },
  { at: "2026-11-27T16:59:00Z", up: false, response_time_ms: 2500.4, status_code: 500, error: "Status 500 is not 200-299." },
];

describe("CheckDetailPage", () => {
  it("shows a check's state since when, uptime, settings, rule, chart and results, newest first", async () => {
    server.use(handlers.signedInAs(admin), handlers.check(website), handlers.checkResults(1, results));
    renderApp("/checks/1");

    expect(await screen.findByRole("heading", { level: 1, name: "Our website" })).toBeInTheDocument();
    expect(screen.getByText(/^since/)).toHaveTextContent("since Nov 27, 2026, 4:00:00 PM UTC");
    const state = screen.getByRole("region", { name: "State" });
    expect(state).toHaveTextContent(/Uptime 24 h\s*99\.5 %/);
    expect(state).toHaveTextContent(/Uptime 30 d\s*100 %/);
    expect(state).toHaveTextContent(/Last response time\s*120 ms/);
    expect(state).toHaveTextContent(/Certificate expires in\s*42 days/);
    expect(within(state).getByRole("link", { name: "Our website is down" })).toHaveAttribute("href", "/rules/7");

    const settings = screen.getByRole("region", { name: "Settings" });
    expect(settings).toHaveTextContent("GET https://example.com/");
    expect(settings).toHaveTextContent(/Expected status\s*200-299/);
    expect(settings).toHaveTextContent(/Body contains\s*Welcome/);
    expect(settings).toHaveTextContent("X-Probe: resee");
    expect(settings).toHaveTextContent(/Interval\s*1 min/);

    const history = screen.getByRole("region", { name: "History" });
    expect(await within(history).findByRole("figure", { name: "Response time of Our website" })).toBeInTheDocument();
    const rows = within(within(history).getByRole("table")).getAllByRole("row").slice(1);
    expect(rows.map((row) => row.textContent)).toEqual([
      "Nov 27, 2026, 5:00:00 PM UTCUp120 ms200",
      "Nov 27, 2026, 4:59:00 PM UTCDown2.50 s500Status 500 is not 200-299.",
    ]);
  });

  it("runs an http check now and shows what it found", async () => {
    let ran = 0;
    let current = website;
    server.use(
      handlers.signedInAs(admin),
      handlers.csrf(),
      http.get("/api/monitoring/checks/1/", () => HttpResponse.json(current)),
      handlers.checkResults(1, results),
      http.post("/api/monitoring/checks/1/run/", () => {
        ran += 1;
        current = { ...website, status: "down", last_error: "Timed out after 10 s." };
        return HttpResponse.json(current);
      }),
    );
    const { user } = renderApp("/checks/1");
    await user.click(await screen.findByRole("button", { name: "Run now" }));
    expect(await screen.findByText("Ran it: down.")).toBeInTheDocument();
    expect(ran).toBe(1);
    expect(await screen.findByText("Timed out after 10 s.")).toBeInTheDocument();
  });

  it("shows a heartbeat's ping URLs and last ping, with no Run now and no response-time chart", async () => {
    const backup = heartbeat();
    server.use(handlers.signedInAs(admin), handlers.check(backup), handlers.checkResults(2, []));
    renderApp("/checks/2");

    const ping = await screen.findByRole("region", { name: "Ping URL of Nightly backup" });
    expect(ping).toHaveTextContent("curl -fsS -m 10 --retry 5 http://testserver/ping/0b6c7a8e-1111-4222-8333-944455556666/fail");
    expect(screen.getByRole("region", { name: "State" })).toHaveTextContent(/Last ping\s*Nov 26, 2026, 3:00:00 AM UTC/);
    expect(screen.getByRole("region", { name: "Settings" })).toHaveTextContent(/Period\s*1 d\s*Grace\s*1 h/);
    expect(screen.queryByRole("button", { name: "Run now" })).not.toBeInTheDocument();
    expect(await screen.findByText("No results yet.")).toBeInTheDocument();
    expect(screen.queryByRole("figure")).not.toBeInTheDocument();
  });

  it("deletes the check after confirming and goes back to the list", async () => {
    server.use(
      handlers.signedInAs(admin),
      handlers.csrf(),
      handlers.check(website),
      handlers.checkResults(1, results),
      handlers.checks([]),
      http.delete("/api/monitoring/checks/1/", () => new HttpResponse(null, { status: 204 })),
    );
    const { user } = renderApp("/checks/1");
    await user.click(await screen.findByRole("button", { name: "Delete" }));
    const confirm = await screen.findByRole("dialog", { name: "Delete check Our website?" });
    await user.click(within(confirm).getByRole("button", { name: "Delete check" }));
    await waitFor(() => {
      expect(screen.getByTestId("location")).toHaveTextContent(/^\/checks$/);
    });
    expect(await screen.findByText("No check yet")).toBeInTheDocument();
  });

  it("gives a viewer no buttons that change it, and says when a check does not exist", async () => {
    server.use(handlers.signedInAs(viewer), handlers.check(website), handlers.checkResults(1, results));
    renderApp("/checks/1");
    await screen.findByRole("heading", { level: 1, name: "Our website" });
    expect(screen.queryByRole("button", { name: /^(Run now|Edit|Delete)$/ })).not.toBeInTheDocument();

    server.use(
      http.get("/api/monitoring/checks/99/", () => HttpResponse.json({ detail: "Not found." }, { status: 404 })),
      http.get("/api/monitoring/checks/99/results/", () => HttpResponse.json({ detail: "Not found." }, { status: 404 })),
    );
    renderApp("/checks/99");
    expect(await screen.findByText("There is no such thing as this check")).toBeInTheDocument();
  });
});

describe("CheckDetailPage, a provisioned check", () => {
  it("says it is read-only and offers no Edit or Delete, only Run now", async () => {
    server.use(handlers.signedInAs(admin), handlers.check({ ...website, provisioned: "checks.yaml" }), handlers.checkResults(1, results));
    renderApp("/checks/1");

    expect(await screen.findByRole("heading", { level: 1, name: "Our website" })).toBeInTheDocument();
    expect(screen.getByText("Provisioned from checks.yaml: read-only.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Run now" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Edit" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Delete" })).not.toBeInTheDocument();
  });

  it("keeps Edit and Delete for a check no file holds", async () => {
    server.use(handlers.signedInAs(admin), handlers.check(website), handlers.checkResults(1, results));
    renderApp("/checks/1");

    expect(await screen.findByRole("heading", { level: 1, name: "Our website" })).toBeInTheDocument();
    expect(screen.queryByText(/Provisioned from/)).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Edit" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Delete" })).toBeInTheDocument();
  });
});
