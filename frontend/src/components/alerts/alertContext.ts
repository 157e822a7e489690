/**
 * An alert's `context` read defensively: the engine records the window, aggregation, the points and
 * what they were compared with; a manual trigger records less; older alerts may differ. Anything
 * missing or malformed is left out rather than guessed.
 */
import type { AlertContextRecord } from "../../types/alerts";

export interface ContextPoint {
  /** Epoch milliseconds. */
  t: number;
  v: number | null;
}

export interface AlertContext {
  windowMinutes: number | null;
  aggregation: string | null;
  windowStart: string | null;
  windowEnd: string | null;
  resolveThreshold: number | null;
  triggeredBy: string | null;
  /** A promql rule's expression, evaluated by its data source; null for a metric rule. */
  query: string | null;
  points: ContextPoint[];
}

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

/** `[["2026-11-27T17:28:00+00:00", 91.2], ...]` (or `{t, v}` objects) as points, oldest first. */
function pointsOf(value: unknown): ContextPoint[] {
  if (!Array.isArray(value)) return [];
  const points: ContextPoint[] = [];
  for (const item of value as unknown[]) {
    let time: unknown;
    let reading: unknown;
    if (Array.isArray(item)) {
      [time, reading] = item as unknown[];
    } else if (typeof item === "object" && item !== null && "t" in item && "v" in item) {
      time = item.t;
      reading = item.v;
    }
    const t = typeof time === "string" ? Date.parse(time) : Number.NaN;
    if (!Number.isNaN(t) && (reading === null || numberOrNull(reading) !== null)) {
      points.push({ t, v: reading === null ? null : (reading as number) });
    }
  }
  return points.sort((a, b) => a.t - b.t);
}

export function readAlertContext(context: AlertContextRecord): AlertContext {
  return {
    windowMinutes: numberOrNull(context.window_minutes),
    aggregation: stringOrNull(context.aggregation),
    windowStart: stringOrNull(context.window_start),
    windowEnd: stringOrNull(context.window_end),
    resolveThreshold: numberOrNull(context.resolve_threshold),
    triggeredBy: stringOrNull(context.triggered_by),
    query: stringOrNull(context.query),
    points: pointsOf(context.points),
  };
}
