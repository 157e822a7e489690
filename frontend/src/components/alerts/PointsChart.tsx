import { useId } from "react";
import { Line, LineChart, ReferenceLine } from "recharts";
import { formatMaybe } from "../../lib/alerting";
import { formatInstant, timeZoneLabel } from "../../lib/format";
import { ChartAxes } from "../ui/ChartAxes";

export interface ChartPoint {
  /** Epoch milliseconds. */
  t: number;
  v: number | null;
}

interface PointsChartProps {
  title: string;
  points: readonly ChartPoint[];
  unit: string;
  threshold: number;
  resolveThreshold?: number | null | undefined;
}

/**
 * The values an alert (or a dry run) was computed from, against the threshold: a small line chart
 * with the threshold drawn across it, and the same numbers as a table for those who do not see the
 * chart.
 */
export function PointsChart({ title, points, unit, threshold, resolveThreshold }: PointsChartProps) {
  const headingId = useId();
  if (points.length === 0) {
    return <p className="muted">No points were recorded for this window.</p>;
  }
  return (
    <figure className="points-chart" aria-labelledby={headingId}>
      <figcaption id={headingId} className="points-chart__caption">
        {title} <span className="muted">(times in {timeZoneLabel(points.at(-1)?.t)})</span>
      </figcaption>
      <div className="chart__plot chart__plot--small" aria-hidden="true">
        <LineChart data={[...points]} responsive style={{ width: "100%", height: "100%" }} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <ChartAxes
            unit={unit}
            formatTime={(t) => formatInstant(t, { style: "time", zone: false })}
            formatTooltipTime={(t) => formatInstant(t, { style: "time" })}
          />
          <ReferenceLine
            y={threshold}
            // The threshold is always in view, even when every value is far from it.
            ifOverflow="extendDomain"
            stroke="var(--danger)"
            strokeWidth={2}
            label={{ value: "threshold", position: "insideTopRight", fill: "var(--danger)", fontSize: 12 }}
          />
          {resolveThreshold !== null && resolveThreshold !== undefined && (
            <ReferenceLine
              y={resolveThreshold}
              ifOverflow="extendDomain"
              stroke="var(--ok)"
              strokeDasharray="6 3"
              label={{ value: "resolves", position: "insideBottomRight", fill: "var(--ok)", fontSize: 12 }}
            />
          )}
          <Line
            dataKey="v"
            name="value"
            type="linear"
            stroke="var(--chart-1)"
            strokeWidth={2}
            dot={{ r: 3, fill: "var(--chart-1)" }}
            connectNulls={false}
            isAnimationActive={false}
          />
        </LineChart>
      </div>
      <details className="points-chart__table">
        <summary>The {points.length === 1 ? "value" : `${points.length} values`} as a table</summary>
        <div className="table-scroll table-scroll--short" role="region" aria-label={`${title}: values`} tabIndex={0}>
          <table className="table table--compact">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col" className="numeric">
                  Value
                </th>
              </tr>
            </thead>
            <tbody>
              {points.map((point, index) => (
                // Two samples may share a time (pushed in one batch).
                <tr key={`${point.t}-${index}`}>
                  <th scope="row">
                    <time dateTime={new Date(point.t).toISOString()}>{formatInstant(point.t, { style: "time" })}</time>
                  </th>
                  <td className="numeric">{formatMaybe(point.v, unit)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
