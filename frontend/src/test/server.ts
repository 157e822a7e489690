import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import type { User } from "../types/auth";
import type { Check, CheckResult, SelfHealth } from "../types/checks";
import type {
  AlertItem,
  ChannelKind,
  MetricHealthEntry,
  NotificationChannel,
  NotificationPolicy,
  OpenAlertCounts,
} from "../types/alerts";
import type {
  EndpointStats,
  HealthReport,
  MetricLabels,
  MetricSeries,
  MonitoringOverview,
  PushToken,
} from "../types/monitoring";
import { channelKinds, defaultChannels, endpoints, integrations, openCounts, overview, page, series } from "./fixtures";

/**
 * The monitor's own health, which the signed-in layout asks for on every page: fine, unless a test
 * says otherwise (`handlers.selfHealth`).
 */
export const SELF_HEALTH_PATH = "/api/monitoring/self-health/";
export const selfHealthOk: SelfHealth = {
  ok: true,
  problems: [],
  last_tick_at: "2026-11-27T17:00:00Z",
  check_interval_seconds: 60,
  workers: 1,
  failing_deliveries_15m: 0,
};

/** The network boundary of every test: requests the test did not expect fail it. */
export const server = setupServer(
  http.get(SELF_HEALTH_PATH, () => HttpResponse.json(selfHealthOk)),
  // A rule's page lists its versions: none recorded, unless a test says otherwise.
  http.get("/api/alerts/rules/:id/versions/", () => HttpResponse.json([])),
);

/** The alerting and telemetry permissions of the groups (backend core/roles.py). */
const VIEW_PERMISSIONS = [
  "alerts.view_alerthistory",
  "alerts.view_alertrule",
  "alerts.view_notificationchannel",
  "alerts.view_notificationdelivery",
  "alerts.view_notificationpolicy",
  "alerts.view_silence",
  "alerts.view_maintenancewindow",
  "monitoring.view_activeuserminute",
  "monitoring.view_aiusage",
  "monitoring.view_errorcount",
  "monitoring.view_errorlog",
  "monitoring.view_metricsample",
  "monitoring.view_pushtoken",
  "monitoring.view_requestrollup",
  "monitoring.view_check",
  "monitoring.view_checkresult",
];
const MANAGER_PERMISSIONS = [
  ...VIEW_PERMISSIONS,
  "alerts.add_alertrule",
  "alerts.change_alertrule",
  "alerts.delete_alertrule",
  "alerts.change_alerthistory",
  "alerts.add_notificationchannel",
  "alerts.change_notificationchannel",
  "alerts.delete_notificationchannel",
  "alerts.add_notificationpolicy",
  "alerts.change_notificationpolicy",
  "alerts.delete_notificationpolicy",
  "alerts.add_silence",
  "alerts.change_silence",
  "alerts.delete_silence",
  "alerts.add_maintenancewindow",
  "alerts.change_maintenancewindow",
  "alerts.delete_maintenancewindow",
  "monitoring.change_errorlog",
  "monitoring.delete_errorlog",
  "monitoring.add_metricsample",
  "monitoring.add_aiusage",
  "monitoring.add_pushtoken",
  "monitoring.delete_pushtoken",
  "monitoring.add_check",
  "monitoring.change_check",
  "monitoring.delete_check",
].sort();

export const admin: User = {
  id: 1,
  username: "admin",
  email: "ops@example.com",
  is_staff: true,
  is_superuser: true,
  permissions: MANAGER_PERMISSIONS,
};

/** An "Alert viewers" member: reads everything, changes nothing. */
export const viewer: User = {
  id: 2,
  username: "watcher",
  email: "",
  is_staff: false,
  is_superuser: false,
  permissions: VIEW_PERMISSIONS,
};

/** An "Alert managers" member. */
export const manager: User = {
  id: 3,
  username: "oncall",
  email: "oncall@example.com",
  is_staff: false,
  is_superuser: false,
  permissions: MANAGER_PERMISSIONS,
};

/** Signed in, in no group: may only see who they are. */
export const nobody: User = {
  id: 4,
  username: "nobody",
  email: "",
  is_staff: false,
  is_superuser: false,
  permissions: [],
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
  pushTokens: (tokens: PushToken[] = []) =>
    http.get("/api/monitoring/push-tokens/", () => HttpResponse.json(page(tokens))),
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
  /** Every metric's labels: what `answer` makes of the metric (no labelled series by default). */
  metricLabels: (
    answer: (metric: string) => MetricLabels = (metric) => ({ metric, labels: {}, truncated: [] }),
  ) =>
    http.get("/api/monitoring/metrics/:name/labels/", ({ params }) => HttpResponse.json(answer(String(params.name)))),
  endpoints: (answer: EndpointStats = endpoints()) =>
    http.get("/api/monitoring/endpoints/", () => HttpResponse.json(answer)),
  /** The alert history, whatever the filters (none by default). */
  alerts: (results: AlertItem[] = []) => http.get("/api/alerts/history/", () => HttpResponse.json(page(results))),
  openAlertCounts: (answer: OpenAlertCounts = openCounts()) =>
    http.get("/api/alerts/open-alerts/", () => HttpResponse.json(answer)),
  metricHealth: (metrics: MetricHealthEntry[] = []) =>
    http.get("/api/alerts/metric-health/", () => HttpResponse.json({ metrics })),
  /** The channels (the environment's default ones by default). */
  channels: (list: NotificationChannel[] = defaultChannels()) =>
    http.get("/api/alerts/channels/", () => HttpResponse.json(page(list))),
  channelKinds: (kinds: ChannelKind[] = channelKinds()) =>
    http.get("/api/alerts/channels/kinds/", () => HttpResponse.json(kinds)),
  policies: (list: NotificationPolicy[] = []) => http.get("/api/alerts/policies/", () => HttpResponse.json(page(list))),
  integrations: () => http.get("/api/alerts/integrations/", () => HttpResponse.json(integrations())),
  /** The monitor's own health; null: a server without the endpoint (404). */
  selfHealth: (answer: SelfHealth | null = selfHealthOk) =>
    http.get(SELF_HEALTH_PATH, () =>
      answer ? HttpResponse.json(answer) : HttpResponse.json({ detail: "Not found." }, { status: 404 }),
    ),
  /** The checks list (paginated, as the API answers it); null: a server without checks (404). */
  checks: (list: Check[] | null = []) =>
    http.get("/api/monitoring/checks/", () =>
      list ? HttpResponse.json(page(list)) : HttpResponse.json({ detail: "Not found." }, { status: 404 }),
    ),
  check: (item: Check) => http.get(`/api/monitoring/checks/${item.id}/`, () => HttpResponse.json(item)),
  checkResults: (id: number, results: CheckResult[] = []) =>
    http.get(`/api/monitoring/checks/${id}/results/`, () => HttpResponse.json(results)),
  /** Everything the dashboard asks for, answered as a system with no data and no rules yet would. */
  dashboard: () => [
    handlers.health(),
    handlers.overview(),
    handlers.series(),
    handlers.metricLabels(),
    handlers.endpoints(),
    handlers.alerts(),
    handlers.openAlertCounts(),
    handlers.metricHealth(),
  ],
};

/**
 * The address of every request made from now until the test ends, in order; but those to the
 * paths in `ignore` (the layout's own polling, for a test that counts a page's requests).
 */
export function watchRequests({ ignore = [] }: { ignore?: readonly string[] } = {}): URL[] {
  const seen: URL[] = [];
  server.events.on("request:start", ({ request }) => {
    const url = new URL(request.url);
    if (!ignore.includes(url.pathname)) seen.push(url);
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
