import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import type { User } from "../types/auth";
import type { EndpointStats, HealthReport, MetricSeries, MonitoringOverview } from "../types/monitoring";
import { endpoints, overview, series } from "./fixtures";

/** The network boundary of every test: requests the test did not expect fail it. */
export const server = setupServer();

export const admin: User = {
  id: 1,
  username: "admin",
  email: "ops@example.com",
  is_staff: true,
  is_superuser: true,
};

export const healthy: HealthReport = { status: "ok", checks: { database: "ok", broker: "ok" } };

export const handlers = {
  signedInAs: (user: User) => http.get("/api/auth/me/", () => HttpResponse.json(user)),
  anonymous: () =>
    http.get("/api/auth/me/", () =>
      HttpResponse.json(
        { detail: "Authentication credentials were not provided." },
        { status: 401, headers: { "WWW-Authenticate": "Bearer" } },
      ),
    ),
  csrf: (token = "csrf-from-endpoint") => http.get("/api/auth/csrf/", () => HttpResponse.json({ csrfToken: token })),
  health: (report: HealthReport = healthy) =>
    http.get("/health/", () => HttpResponse.json(report, { status: report.status === "ok" ? 200 : 503 })),
  overview: (answer: MonitoringOverview = overview()) =>
    http.get("/api/monitoring/overview/", () => HttpResponse.json(answer)),
  /** Every series: what `answer` makes of the metric and the minutes asked for (no data by default). */
  series: (
    answer: (metric: string, minutes: number) => MetricSeries = (metric, minutes) =>
      series(metric, [null, null], { minutes }),
  ) =>
    http.get("/api/monitoring/metrics/:name/series/", ({ params, request }) => {
      const minutes = Number(new URL(request.url).searchParams.get("minutes"));
      return HttpResponse.json(answer(String(params.name), minutes));
    }),
  endpoints: (answer: EndpointStats = endpoints()) =>
    http.get("/api/monitoring/endpoints/", () => HttpResponse.json(answer)),
  /** Everything the dashboard asks for, answered as a system with no data yet would. */
  dashboard: () => [handlers.health(), handlers.overview(), handlers.series(), handlers.endpoints()],
};

/** The address of every request made from now until the test ends, in order. */
export function watchRequests(): URL[] {
  const seen: URL[] = [];
  server.events.on("request:start", ({ request }) => {
    seen.push(new URL(request.url));
  });
  return seen;
}

export function setCookie(name: string, value: string): void {
  document.cookie = `${name}=${encodeURIComponent(value)}; path=/`;
}

export function clearCookies(): void {
  for (const pair of document.cookie.split(/;\s*/)) {
    const name = pair.split("=")[0];
    if (name) {
      document.cookie = `${name}=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT`;
    }
  }
}
