import { formatDuration } from "../../lib/format";
import type { Check, CheckKind, CheckStatus } from "../../types/checks";

export const CHECK_KIND_LABELS: Record<CheckKind, string> = {
  http: "HTTP(S)",
  tcp: "TCP",
  heartbeat: "Heartbeat",
};

export const CHECK_STATUS_LABELS: Record<CheckStatus, string> = {
  up: "Up",
  down: "Down",
  unknown: "Unknown",
};

const STATUS_ORDER: Record<CheckStatus, number> = { down: 0, unknown: 1, up: 2 };

/** Down first, then unknown, then up; by name within each. */
export function sortChecks(checks: readonly Check[]): Check[] {
  return [...checks].sort(
    (a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.name.localeCompare(b.name),
  );
}

/** "99.5 %", or "–" when nothing ran in the window. */
export function uptimeText(percent: number | null): string {
  if (percent === null) return "–";
  const rounded = percent >= 99.95 && percent < 100 ? percent.toFixed(2) : percent.toFixed(1);
  return `${rounded.replace(/\.0+$/, "")} %`;
}

export function responseTimeText(ms: number | null): string {
  if (ms === null) return "–";
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

/** What a check watches, in a few words: the URL, host:port, or the schedule of a heartbeat. */
export function checkTarget(check: Check): string {
  if (check.kind === "http") return `${check.method} ${check.url}`;
  if (check.kind === "tcp") return `${check.host}:${check.port ?? ""}`;
  if (check.cron) return `cron ${check.cron} (${check.time_zone})`;
  return `every ${formatDuration(check.period_seconds)}, grace ${formatDuration(check.grace_seconds)}`;
}

/** The curl lines a job uses: on success, at its start, and on failure. */
export function curlExamples(pingUrl: string): { label: string; command: string }[] {
  const base = pingUrl.endsWith("/") ? pingUrl : `${pingUrl}/`;
  return [
    { label: "When the job succeeds", command: `curl -fsS -m 10 --retry 5 ${base}` },
    { label: "When it starts (optional: measures its run time)", command: `curl -fsS -m 10 --retry 5 ${base}start` },
    { label: "When it fails (down at once)", command: `curl -fsS -m 10 --retry 5 ${base}fail` },
  ];
}
