import { Legend, Line, LineChart } from "recharts";
import { useMetricSeries } from "../../hooks/monitoring/useMonitoring";
import { formatInstant, formatValue, timeZoneLabel } from "../../lib/format";
import type { TimeRange } from "../../lib/timeRanges";
import type { MetricSeries } from "../../types/monitoring";
import { ChartAxes } from "../ui/ChartAxes";
import { EmptyState } from "../ui/EmptyState";
import { ErrorState } from "../ui/ErrorState";
import { LoadingState } from "../ui/LoadingState";

interface PerformanceChartProps {
  title: string;
  /** One line per metric, from the catalogue (the first line's unit labels the axis). */
  metrics: readonly string[];
  range: TimeRange;
}

/** Line styles that differ in dash as well as colour, so that lines stay apart without colour. */
const LINE_STYLES = [
  { colour: "var(--chart-1)", dash: "0" },
  { colour: "var(--chart-2)", dash: "6 3" },
] as const;

type Row = Record<string, number | null> & { t: number };

/** The series' points merged by time: one row per bucket, a column per metric, null for no data. */
function toRows(series: readonly MetricSeries[]): Row[] {
  const rows = new Map<number, Row>();
  for (const line of series) {
    for (const point of line.points) {
      const t = Date.parse(point.t);
      const row = rows.get(t) ?? { t };
      row[line.metric] = point.v;
      rows.set(t, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.t - b.t);
}

/** The axis's times, without the zone: the chart's caption names it once. */
function timeFormatter(minutes: number): (epochMs: number) => string {
  const style = minutes > 1440 ? "weekdayTime" : "clock";
  return (epochMs) => formatInstant(epochMs, { style, zone: false });
}

/** "latest 36.2%, lowest 12%, highest 80%" over the points that have data. */
function summarise(line: MetricSeries): string {
  const values = line.points.flatMap((point) => (point.v === null ? [] : [point.v]));
  const latest = values.at(-1);
  if (latest === undefined) return `${line.label}: no data`;
  const format = (value: number) => formatValue(value, line.unit);
  return `${line.label}: latest ${format(latest)}, lowest ${format(Math.min(...values))}, highest ${format(Math.max(...values))}`;
}

interface DotProps {
  cx?: number | undefined;
  cy?: number | undefined;
  index?: number | undefined;
}

function IsolatedDot({ cx, cy, index, rows, metric, colour }: DotProps & { rows: Row[]; metric: string; colour: string }) {
  const present = (at: number) => {
    const value = rows[at]?.[metric];
    return value !== undefined && value !== null;
  };
  if (cx === undefined || cy === undefined || index === undefined || !present(index)) return <g />;
  if (present(index - 1) || present(index + 1)) return <g />;
  return <circle cx={cx} cy={cy} r={3} fill={colour} stroke={colour} />;
}

function Chart({ series, range }: { series: readonly MetricSeries[]; range: TimeRange }) {
  const rows = toRows(series);
  const unit = series[0]?.unit ?? "";
  const formatTime = timeFormatter(range.minutes);
  return (
    <div className="chart__plot">
      <LineChart data={rows} responsive style={{ width: "100%", height: "100%" }} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <ChartAxes
          unit={unit}
          formatTime={formatTime}
          formatTooltipTime={(t) => formatInstant(t, { style: "minutes" })}
          // Counts (requests, tasks) come in whole numbers.
          allowDecimals={series[0]?.aggregation !== "sum"}
        />
        {series.length > 1 && <Legend />}
        {series.map((line, index) => {
          const style = LINE_STYLES[index % LINE_STYLES.length] ?? LINE_STYLES[0];
          return (
            <Line
              key={line.metric}
              dataKey={line.metric}
              name={line.label}
              type="linear"
              stroke={style.colour}
              strokeWidth={2}
              strokeDasharray={style.dash}
              // A point with no data on either side would draw nothing as a line: it gets a dot.
              dot={(props: DotProps) => <IsolatedDot {...props} rows={rows} metric={line.metric} colour={style.colour} />}
              // A bucket without data is a gap in the line, never a drop to zero.
              connectNulls={false}
              isAnimationActive={false}
            />
          );
        })}
      </LineChart>
    </div>
  );
}

/** A metric (or two with the same unit) over the chosen time range, from the series API. */
export function PerformanceChart({ title, metrics, range }: PerformanceChartProps) {
  const results = useMetricSeries(metrics, { minutes: range.minutes });
  const failed = results.find((result) => result.isError);
  const series = results.flatMap((result) => (result.data ? [result.data] : []));
  const fetching = results.some((result) => result.isFetching);
  // Data of another range never stands in for this one's (the query key holds the range).
  const complete = series.length === metrics.length;

  let body;
  if (!complete && failed?.error) {
    body = (
      <ErrorState
        title={`Could not load ${title}`}
        message={failed.error.message}
        onRetry={() => {
          for (const result of results) if (result.isError) void result.refetch();
        }}
      />
    );
  } else if (!complete) {
    body = <LoadingState label={`Loading ${title}…`} />;
  } else if (series.every((line) => line.points.every((point) => point.v === null))) {
    body = <EmptyState title={`No data in ${range.description}.`} />;
  } else {
    body = (
      <>
        {failed && (
          <p className="notice notice--warning" role="alert">
            The last refresh failed ({failed.error.message}). Showing the previous data.
          </p>
        )}
        <Chart series={series} range={range} />
        <ul className="chart__summary">
          {series.map((line) => (
            <li key={line.metric}>{summarise(line)}</li>
          ))}
        </ul>
      </>
    );
  }

  const headingId = `chart-${metrics.join("-")}`;
  return (
    <figure className="chart" aria-labelledby={headingId} aria-busy={fetching}>
      <figcaption className="chart__header">
        <h3 id={headingId} className="chart__title">
          {title}
        </h3>
        <span className="muted chart__range">
          {range.description} · times in {timeZoneLabel()}
        </span>
      </figcaption>
      {body}
    </figure>
  );
}
