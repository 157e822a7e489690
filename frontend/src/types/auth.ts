import type { Schemas } from "./api";

/**
 * The signed-in user, as `GET /api/auth/me/` and `POST /api/auth/login/` return it. `permissions`
 * are the user's permissions on alerting and telemetry, e.g. "alerts.change_alertrule": what the API
 * will allow. The dashboard offers only these; the API still decides.
 */
export type User = Schemas["AuthUser"];

export type LoginCredentials = Schemas["LoginRequestRequest"];

/** `GET /api/auth/csrf/` */
export type CsrfTokenResponse = Schemas["CsrfToken"];
