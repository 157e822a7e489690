/**
 * Checks (`/api/monitoring/checks/`), written from the API contract until the generated schema has
 * them, and the monitor's own health (`/api/monitoring/self-health/`).
 */
import type { components } from "./api.gen";

export type CheckKind = "http" | "tcp" | "heartbeat";
export type CheckStatus = "up" | "down" | "unknown";
export type CheckMethod = "GET" | "HEAD" | "POST";

export interface CheckRun {
  at: string;
  up: boolean;
  response_time_ms: number | null;
}

export interface CheckResult extends CheckRun {
  status_code: number | null;
  error: string;
}

export interface CheckUptime {
  "24h": number | null;
  "7d": number | null;
  "30d": number | null;
}

/** What is written: the settings of every kind (a kind ignores the others'). */
export interface CheckInput {
  name: string;
  kind: CheckKind;
  is_active: boolean;
  interval_seconds: number;
  timeout_seconds: number;
  url: string;
  method: CheckMethod;
  headers: Record<string, string>;
  expected_status: string;
  body_contains: string;
  body_regex: boolean;
  follow_redirects: boolean;
  /** https: refuse a certificate that cannot be verified (its days left are reported either way). */
  verify_tls: boolean;
  host: string;
  port: number | null;
  period_seconds: number;
  grace_seconds: number;
  cron: string;
  time_zone: string;
}

export interface Check extends CheckInput {
  id: number;
  /** heartbeat: where its job pings ("" for other kinds). */
  ping_url: string;
  status: CheckStatus;
  status_since: string | null;
  last_checked_at: string | null;
  last_response_time_ms: number | null;
  last_error: string;
  cert_days_left: number | null;
  last_ping_at: string | null;
  uptime: CheckUptime;
  /** The last 30 runs, oldest first. */
  recent: CheckRun[];
  /** The default rule "<name> is down", when one was made. */
  rule_id: number | null;
  created_at: string;
  updated_at: string;
}

/** The monitor's own health (`GET /api/monitoring/self-health/`), from the generated schema. */
export type SelfHealth = components["schemas"]["SelfHealth"];
