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

const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

/** An instant in the reader's time zone, e.g. "27 Nov 2026, 17:28:40". */
export function formatDateTime(iso: string): string {
  return DATE_TIME.format(new Date(iso));
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
