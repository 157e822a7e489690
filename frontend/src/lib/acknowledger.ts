import type { AlertItem } from "../types/alerts";

/** Who acknowledged an alert, as a phrase after "Acknowledged": "by alice", "through a link in a
 * message" (a one-click link used without signing in), or "by a user since deleted". */
export function acknowledgedPhrase(alert: Pick<AlertItem, "acknowledged_by" | "acknowledged_via">): string {
  if (alert.acknowledged_by) return `by ${alert.acknowledged_by}`;
  if (alert.acknowledged_via === "link") return "through a link in a message";
  return "by a user since deleted";
}
