import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import type { User } from "../types/auth";
import type { HealthReport } from "../types/monitoring";

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
};

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
