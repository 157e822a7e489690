import { useId, type ReactNode } from "react";
import { Link } from "react-router";
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
import { SEVERITY_LABELS } from "../../lib/alerting";
import { formatInstant, formatNumber, timeZoneLabel } from "../../lib/format";
import { ruleDetailPath } from "../../routes/paths";
import { SEVERITIES, type AlertStats, type ChannelStats } from "../../types/alerts";

export interface CountPoint {
  /** Epoch milliseconds of the day's or hour's start. */
  t: number;
  count: number;
}


/** A local date ("2026-11-27") as the start of that day here. */
function dayStart(date: string): number {
  const [year = 1970, month = 1, day = 1] = date.split("-").map(Number);
  return new Date(year, month - 1, day).getTime();
}

export function perDay(stats: AlertStats): CountPoint[] {
  return stats.per_day.map((row) => ({ t: dayStart(row.date), count: row.count }));
}

export function perHour(stats: AlertStats): CountPoint[] {
  return stats.per_hour.map((row) => ({ t: Date.parse(row.hour), count: row.count }));
}

/** Alerts triggered per day or hour: bars, with the same numbers as a table. */
export function FrequencyChart({ points, unit }: { points: readonly CountPoint[]; unit: "day" | "hour" }) {
  const headingId = useId();
  // A day is a date, not a clock; an hour says its zone (in the title for the axis).
  const format = (t: number, zone: boolean) => formatInstant(t, { style: unit === "day" ? "day" : "dayTime", zone: zone && unit === "hour" });
  const nonZero = points.filter((point) => point.count > 0);
  return (
    <figure className="chart" aria-labelledby={headingId}>
      <figcaption className="chart__header">
        <h3 id={headingId} className="chart__title">
          Alerts triggered per {unit}
        </h3>
        {unit === "hour" && <span className="muted chart__range">times in {timeZoneLabel(points.at(-1)?.t)}</span>}
      </figcaption>
      <div className="chart__plot" aria-hidden="true">
        <BarChart data={[...points]} responsive style={{ width: "100%", height: "100%" }} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" vertical={false} />
          <XAxis
            dataKey="t"
            tickFormatter={(t: number) => format(t, false)}
            stroke="var(--text-muted)"
            tick={{ fill: "var(--text-muted)", fontSize: 12 }}
            minTickGap={16}
          />
          <YAxis width={40} allowDecimals={false} stroke="var(--text-muted)" tick={{ fill: "var(--text-muted)", fontSize: 12 }} />
          <Tooltip
            labelFormatter={(label) => (typeof label === "number" ? format(label, true) : "")}
            formatter={(value) => [String(value), "alerts"]}
            contentStyle={{ background: "var(--surface)", borderColor: "var(--border)", color: "var(--text)" }}
          />
          <Bar dataKey="count" name="alerts" fill="var(--chart-1)" isAnimationActive={false} />
        </BarChart>
      </div>
      <details>
        <summary>
          {nonZero.length === 0 ? `No ${unit} had an alert` : `The ${nonZero.length} ${unit}${nonZero.length === 1 ? "" : "s"} with alerts, as a table`}
        </summary>
        {nonZero.length > 0 && (
          <div className="table-scroll table-scroll--short" role="region" aria-label={`Alerts per ${unit}`} tabIndex={0}>
            <table className="table table--compact">
              <thead>
                <tr>
                  <th scope="col">{unit === "day" ? "Day" : "Hour"}</th>
                  <th scope="col" className="numeric">
                    Alerts
                  </th>
                </tr>
              </thead>
              <tbody>
                {nonZero.map((point) => (
                  <tr key={point.t}>
                    <th scope="row">{format(point.t, true)}</th>
                    <td className="numeric">{point.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </details>
    </figure>
  );
}

/** Counts with a bar each, drawn in CSS: a list that reads as a list. */
function CountBars({ rows, total, label }: { rows: { key: string; label: ReactNode; count: number; tone?: string }[]; total: number; label: string }) {
  return (
    <ul className="count-bars" aria-label={label}>
      {rows.map((row) => (
        <li key={row.key} className="count-bars__row">
          <span className="count-bars__label">{row.label}</span>
          <span className="count-bars__track" aria-hidden="true">
            <span
              className={`count-bars__bar${row.tone ? ` count-bars__bar--${row.tone}` : ""}`}
              style={{ width: `${total > 0 ? (100 * row.count) / total : 0}%` }}
            />
          </span>
          <span className="count-bars__count">{formatNumber(row.count)}</span>
        </li>
      ))}
    </ul>
  );
}

export function SeverityBreakdown({ stats }: { stats: AlertStats }) {
  return (
    <CountBars
      label="Alerts by severity"
      total={stats.total}
      rows={SEVERITIES.map((severity) => ({
        key: severity,
        label: SEVERITY_LABELS[severity],
        count: stats.by_severity[severity],
        tone: severity,
      }))}
    />
  );
}

export function TopRules({ stats }: { stats: AlertStats }) {
  if (stats.by_rule.length === 0) return <p className="muted">No rule fired in this period.</p>;
  return (
    <CountBars
      label="The rules that fired most"
      total={stats.by_rule[0]?.count ?? 0}
      rows={stats.by_rule.map((row, index) => ({
        key: `${row.rule_id ?? "deleted"}-${index}`,
        label: row.rule_id !== null ? <Link to={ruleDetailPath(row.rule_id)}>{row.name}</Link> : `${row.name} (deleted)`,
        count: row.count,
      }))}
    />
  );
}

export function ByMetric({ stats }: { stats: AlertStats }) {
  if (stats.by_metric.length === 0) return <p className="muted">No metric had an alert in this period.</p>;
  return (
    <CountBars
      label="Alerts by metric"
      total={stats.by_metric[0]?.count ?? 0}
      rows={stats.by_metric.map((row) => ({ key: row.metric_name, label: <code>{row.metric_name}</code>, count: row.count }))}
    />
  );
}

function rate(channel: ChannelStats): string {
  return channel.success_rate === null ? "—" : `${formatNumber(channel.success_rate)}%`;
}

/** Per channel: notifications sent, failed, skipped and waiting, and the share that got through. */
export function NotificationTable({ channels }: { channels: readonly ChannelStats[] }) {
  const captionId = useId();
  return (
    <div className="table-scroll" role="region" aria-labelledby={captionId} tabIndex={0}>
      <table className="table">
        <caption id={captionId} className="visually-hidden">
          Notifications per channel
        </caption>
        <thead>
          <tr>
            <th scope="col">Channel</th>
            <th scope="col" className="numeric">
              Success rate
            </th>
            <th scope="col" className="numeric">
              Sent
            </th>
            <th scope="col" className="numeric">
              Failed
            </th>
            <th scope="col" className="numeric">
              Skipped
            </th>
            <th scope="col" className="numeric">
              Waiting
            </th>
            <th scope="col" className="numeric">
              Total
            </th>
          </tr>
        </thead>
        <tbody>
          {channels.map((channel) => (
            <tr key={channel.channel}>
              <th scope="row">{channel.label}</th>
              <td className="numeric">{rate(channel)}</td>
              <td className="numeric">{channel.sent}</td>
              <td className="numeric">{channel.failed}</td>
              <td className="numeric">{channel.skipped}</td>
              <td className="numeric">{channel.pending}</td>
              <td className="numeric">{channel.total}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
