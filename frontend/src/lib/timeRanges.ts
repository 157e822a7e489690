/** The time ranges of the dashboard's charts; `id` is what the page's address says (`?range=6h`). */
export const TIME_RANGES = [
  { id: "1h", label: "1 h", description: "the last hour", minutes: 60 },
  { id: "6h", label: "6 h", description: "the last 6 hours", minutes: 360 },
  { id: "24h", label: "24 h", description: "the last 24 hours", minutes: 1440 },
  { id: "7d", label: "7 d", description: "the last 7 days", minutes: 10_080 },
] as const;

export type TimeRange = (typeof TIME_RANGES)[number];
export type TimeRangeId = TimeRange["id"];

export const DEFAULT_TIME_RANGE: TimeRange = TIME_RANGES[0];

/** The range an address asks for; the default for anything else. */
export function timeRangeFor(id: string | null): TimeRange {
  return TIME_RANGES.find((range) => range.id === id) ?? DEFAULT_TIME_RANGE;
}
