/** A status card's health from the health of the metrics it shows. */
import type { MetricHealthEntry, MetricHealthLevel } from "../../types/alerts";
import { plural } from "../../lib/text";

const RANK: Record<MetricHealthLevel, number> = { critical: 0, warning: 1, ok: 2 };

export interface CardHealth {
  health: MetricHealthLevel;
  detail: string;
}

/**
 * The worst health among `entries` (the card's metrics that active rules watch), with what it
 * rests on; null when no active rule watches any of them (nothing has judged the card).
 */
export function cardHealth(entries: readonly MetricHealthEntry[]): CardHealth | null {
  if (entries.length === 0) return null;
  const worst = [...entries].sort((a, b) => RANK[a.health] - RANK[b.health])[0];
  if (!worst) return null;
  const sum = (key: "active_rules" | "firing" | "suppressed" | "no_data" | "error") =>
    entries.reduce((total, entry) => total + entry[key], 0);
  const rules = sum("active_rules");
  const firing = sum("firing");
  const noData = sum("no_data");
  const errors = sum("error");
  const suppressed = sum("suppressed");
  const parts: string[] = [];
  if (firing > 0) parts.push(`${firing} of ${plural(rules, "rule")} firing`);
  if (suppressed > 0) parts.push(`${suppressed} suppressed by a limit`);
  if (noData > 0) parts.push(`${noData} without data`);
  if (errors > 0) parts.push(`${errors} in error`);
  const detail = parts.length > 0 ? parts.join(", ") : `${plural(rules, "rule")}, none firing`;
  return { health: worst.health, detail };
}
