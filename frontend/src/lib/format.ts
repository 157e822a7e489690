/** How numbers, units and times read on the dashboard. */

/** Units written straight after the number ("42 %" reads oddly); the rest follow a space. */
const TIGHT_UNITS = new Set(["%"]);

function fractionDigits(value: number): number {
  const magnitude = Math.abs(value);
  if (magnitude === 0 || magnitude >= 100) return 0;
  if (magnitude >= 10) return 1;
  if (magnitude >= 1) return 2;
  return 3;
}

/** A value with a precision that suits its size: 1,234 · 56.7 · 3.14 · 0.052. */
export function formatNumber(value: number): string {
  const digits = fractionDigits(value);
  return new Intl.NumberFormat(undefined, { maximumFractionDigits: digits }).format(value);
}

/** "36.2%", "123 ms", "4 workers", "$0.052" (dollars); the unit as the catalogue gives it. */
export function formatValue(value: number, unit: string): string {
  if (unit === "USD") {
    return new Intl.NumberFormat(undefined, {
      style: "currency",
      currency: "USD",
      maximumFractionDigits: Math.max(2, fractionDigits(value)),
    }).format(value);
  }
  const number = formatNumber(value);
  if (!unit) return number;
  return TIGHT_UNITS.has(unit) ? `${number}${unit}` : `${number} ${value === 1 ? singular(unit) : unit}`;
}

/** Whether a unit is a counted noun ("requests", "workers") rather than a symbol ("ms", "MB"). */
export function isNounUnit(unit: string): boolean {
  return /^[a-z]{4,}$/.test(unit);
}

/** "1 worker", not "1 workers": the catalogue's nouns are plural. */
function singular(unit: string): string {
  if (!isNounUnit(unit)) return unit;
  if (unit.endsWith("ies")) return `${unit.slice(0, -3)}y`;
  return unit.endsWith("s") ? unit.slice(0, -1) : unit;
}

/** A chart axis's tick: symbols stay ("80%", "120 ms"), nouns go (the chart's title says them). */
export function formatTick(value: number, unit: string): string {
  return isNounUnit(unit) ? formatNumber(value) : formatValue(value, unit);
}

/**
 * How much of an instant to show: the date and time to the second or to the minute, the time to the
 * second or to the minute, a day and month, with the time, or a weekday with the time (chart axes).
 */
export type InstantStyle = "seconds" | "minutes" | "time" | "clock" | "day" | "dayTime" | "weekdayTime";

export interface InstantOptions {
  style?: InstantStyle;
  /** Whether to name the zone; chart axes leave it to the chart's title. Default true. */
  zone?: boolean;
  /** An IANA zone ("Europe/Paris"); the reader's (the browser's) by default. */
  timeZone?: string;
  /** A BCP 47 locale; the reader's by default. */
  locale?: string;
}

const STYLE_PARTS: Record<InstantStyle, Intl.DateTimeFormatOptions> = {
  seconds: { year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit", second: "2-digit" },
  minutes: { year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit" },
  time: { hour: "numeric", minute: "2-digit", second: "2-digit" },
  clock: { hour: "2-digit", minute: "2-digit" },
  day: { day: "numeric", month: "short" },
  dayTime: { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" },
  weekdayTime: { weekday: "short", hour: "2-digit", minute: "2-digit" },
};

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The reader's zone, asked each time: a test (or the reader) may change it while the page runs. */
function readerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function formatterFor(style: InstantStyle, zone: boolean, timeZone: string, locale: string | undefined): Intl.DateTimeFormat {
  const key = `${style}|${zone ? "z" : ""}|${timeZone}|${locale ?? ""}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, {
      ...STYLE_PARTS[style],
      timeZone,
      ...(zone ? { timeZoneName: "short" } : {}),
    });
    formatters.set(key, formatter);
  }
  return formatter;
}

/**
 * Every time the dashboard shows goes through here, so that no clock is ever unmarked: an instant
 * (an ISO string, a Date or epoch milliseconds) in the reader's zone, with that zone named, e.g.
 * "27 Nov 2026, 17:28:40 CET" or "Nov 27, 2026, 05:28:40 PM GMT+1". "" for an unreadable instant.
 */
export function formatInstant(value: string | number | Date, options: InstantOptions = {}): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return "";
  const { style = "seconds", zone = true, timeZone = readerTimeZone(), locale } = options;
  return formatterFor(style, zone, timeZone, locale).format(date);
}

/** An instant to the second with its zone: the usual way a time reads on the dashboard. */
export function formatDateTime(iso: string, options: Omit<InstantOptions, "style" | "zone"> = {}): string {
  return formatInstant(iso, options);
}

/** The short name of the zone times are shown in at `at` ("CET", "GMT+1", "UTC"), for a chart's title. */
export function timeZoneLabel(at: string | number | Date = new Date(), options: Pick<InstantOptions, "timeZone" | "locale"> = {}): string {
  const date = at instanceof Date ? at : new Date(at);
  const when = Number.isNaN(date.getTime()) ? new Date() : date;
  const { timeZone = readerTimeZone(), locale } = options;
  const parts = formatterFor("time", true, timeZone, locale).formatToParts(when);
  return parts.find((part) => part.type === "timeZoneName")?.value ?? timeZone;
}

/** An ISO instant as a `datetime-local` value in the reader's time zone ("2026-11-27T17:28"). */
export function toLocalInput(iso: string | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A `datetime-local` value (the reader's time zone) as an ISO instant. */
export function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** "45 s", "4 min 10 s", "2 h", "3 d 4 h": a duration in its largest unit and the next one. */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  const amounts = [
    { amount: Math.floor(seconds / 86_400), name: "d" },
    { amount: Math.floor(seconds / 3600) % 24, name: "h" },
    { amount: Math.floor(seconds / 60) % 60, name: "min" },
    { amount: seconds % 60, name: "s" },
  ];
  const first = amounts.findIndex((part) => part.amount > 0);
  if (first === -1) return "0 s";
  return amounts
    .slice(first, first + 2)
    .filter((part) => part.amount > 0)
    .map((part) => `${part.amount} ${part.name}`)
    .join(" ");
}
