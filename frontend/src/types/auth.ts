/** The signed-in user, as `GET /api/auth/me/` and `POST /api/auth/login/` return it. */
export interface User {
  id: number;
  username: string;
  email: string;
  is_staff: boolean;
  is_superuser: boolean;
  /**
   * The user's permissions on alerting and telemetry, e.g. "alerts.change_alertrule": what the API
   * will allow. The dashboard offers only these; the API still decides.
   */
  permissions: string[];
}

export interface LoginCredentials {
  username: string;
  password: string;
}

/** `GET /api/auth/csrf/` */
export interface CsrfTokenResponse {
  csrfToken: string;
}
