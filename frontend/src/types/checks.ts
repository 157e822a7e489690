/**
 * Checks (`/api/monitoring/checks/`) and the monitor's own health (`/api/monitoring/self-health/`),
 * from the generated schema.
 */
import type { components } from "./api.gen";

type Schemas = components["schemas"];

export type CheckKind = Schemas["CheckKindEnum"];
export type CheckStatus = Schemas["CheckStatusEnum"];
export type CheckMethod = Schemas["MethodEnum"];
/** One of a check's last 30 runs, oldest first. */
export type CheckRun = Schemas["RecentRun"];
export type CheckResult = Schemas["CheckResult"];
export type CheckUptime = Schemas["Uptime"];

/**
 * A check as the API answers it: every setting is there (the schema marks the writable ones
 * optional, as they are on input), and the headers are names and values.
 */
export type Check = Omit<Required<Schemas["Check"]>, "headers"> & { headers: Record<string, string> };

/** What is written: the settings of every kind (a kind ignores the others'). */
export type CheckInput = Pick<
  Check,
  | "name"
  | "kind"
  | "is_active"
  | "interval_seconds"
  | "timeout_seconds"
  | "url"
  | "method"
  | "headers"
  | "expected_status"
  | "body_contains"
  | "body_regex"
  | "follow_redirects"
  | "verify_tls"
  | "host"
  | "port"
  | "period_seconds"
  | "grace_seconds"
  | "cron"
  | "time_zone"
>;

/** The monitor's own health (`GET /api/monitoring/self-health/`). */
export type SelfHealth = Schemas["SelfHealth"];
