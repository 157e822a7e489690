import type { ReactNode } from "react";
import type { MetricHealth } from "../../types/monitoring";

export interface StatusReading {
  /** The metric's name, for keys and tests. */
  name: string;
  label: string;
  /** The value with its unit, or null for no data. */
  value: string | null;
  /** What the value is, e.g. "average, last 5 min". */
  note: string;
}

interface SystemStatusCardProps {
  title: string;
  readings: readonly StatusReading[];
  /**
   * How the readings stand against the alert rules; it colours the card and is said in words.
   * Without it the card is neutral: nothing has judged the numbers.
   */
  health?: MetricHealth | undefined;
  /** What the health rests on, e.g. "1 of 2 rules firing". */
  healthDetail?: string | undefined;
  /** A link to more, at the foot of the card. */
  footer?: ReactNode;
}

const HEALTH_TEXT: Record<MetricHealth, string> = {
  ok: "OK",
  warning: "Warning",
  critical: "Critical",
  unknown: "Unknown",
};

/** One part of the system and its current numbers. "No data" is said, never shown as 0. */
export function SystemStatusCard({ title, readings, health, healthDetail, footer }: SystemStatusCardProps) {
  const allMissing = readings.every((reading) => reading.value === null);
  const classes = ["metric-card", `metric-card--${health ?? "neutral"}`];
  if (allMissing) classes.push("metric-card--no-data");
  // A card with one reading is titled by it; its label would only repeat the title.
  const single = readings.length === 1;
  return (
    <article className={classes.join(" ")}>
      <div className="metric-card__header">
        <h3 className="metric-card__title">{title}</h3>
        {health && <p className="metric-card__health">{HEALTH_TEXT[health]}</p>}
      </div>
      {healthDetail && <p className="metric-card__health-detail">{healthDetail}</p>}
      <dl className={`metric-card__readings${single ? " metric-card__readings--single" : ""}`}>
        {readings.map((reading) => (
          <div key={reading.name} className="reading" data-metric={reading.name}>
            <dt className={single ? "visually-hidden" : "reading__label"}>{reading.label}</dt>
            <dd className={reading.value === null ? "reading__value reading__value--no-data" : "reading__value"}>
              {reading.value ?? "No data"}
            </dd>
            <dd className="reading__note">{reading.note}</dd>
          </div>
        ))}
      </dl>
      {footer && <div className="metric-card__footer">{footer}</div>}
    </article>
  );
}
