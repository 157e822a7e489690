/** The outcome of one of the health probe's checks. */
export type CheckStatus = "ok" | "unavailable";

/**
 * `GET /health/`: 200 with status "ok" when every check passes, 503 with "unavailable" when one
 * does not. The backend checks `database` and `broker` today; more checks may be added.
 */
export interface HealthReport {
  status: CheckStatus;
  checks: Record<string, CheckStatus>;
}
