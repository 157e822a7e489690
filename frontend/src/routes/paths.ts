export const paths = {
  login: "/login",
  dashboard: "/dashboard",
  alerts: "/alerts",
  alertDetail: "/alerts/:id",
  rules: "/rules",
  ruleNew: "/rules/new",
  ruleDetail: "/rules/:id",
  ruleEdit: "/rules/:id/edit",
  statistics: "/statistics",
  integrations: "/integrations",
  policies: "/policies",
  silences: "/silences",
  maintenanceWindows: "/maintenance-windows",
  errors: "/errors",
  errorDetail: "/errors/:id",
  checks: "/checks",
  checkDetail: "/checks/:id",
  tokens: "/tokens",
  audit: "/audit",
} as const;

/** The page of one check. */
export function checkDetailPath(id: number): string {
  return `${paths.checks}/${id}`;
}

/** The page of one error group. */
export function errorDetailPath(id: number): string {
  return `${paths.errors}/${id}`;
}

/** The page of one alert (also where Slack and email link to: SITE_URL/alerts/<id>). */
export function alertDetailPath(id: number): string {
  return `${paths.alerts}/${id}`;
}

export function ruleDetailPath(id: number): string {
  return `${paths.rules}/${id}`;
}

export function ruleEditPath(id: number): string {
  return `${paths.rules}/${id}/edit`;
}

/** A number from a route's `:id`, or 0 when it is not one. */
export function idParam(raw: string | undefined): number {
  return raw && /^\d{1,15}$/.test(raw) ? Number(raw) : 0;
}

/** The login page, remembering where the user was going unless that is the start page anyway. */
export function loginPathFor(next: string): string {
  if (next === "/" || next === paths.dashboard || next.startsWith(paths.login)) {
    return paths.login;
  }
  return `${paths.login}?${new URLSearchParams({ next }).toString()}`;
}

/**
 * Where to go after signing in: the `next` parameter when it is a page of this site, the
 * dashboard otherwise, so that a crafted link cannot send the user to another site.
 */
export function safeNextPath(next: string | null): string {
  if (!next?.startsWith("/")) {
    return paths.dashboard;
  }
  const url = new URL(next, window.location.origin);
  if (url.origin !== window.location.origin || url.pathname.startsWith(paths.login)) {
    return paths.dashboard;
  }
  return url.pathname + url.search + url.hash;
}
