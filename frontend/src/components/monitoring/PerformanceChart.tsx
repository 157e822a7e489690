import { useId, useState } from "react";
import { Legend, Line, LineChart } from "recharts";
import { PERMISSIONS, useCan } from "../../hooks/auth/permissions";
import { useMetricSeries } from "../../hooks/monitoring/useMonitoring";
import { labelNamesOf, useMetricLabels } from "../../hooks/useMetricLabels";
import { formatInstant, formatValue, timeZoneLabel } from "../../lib/format";
import type { TimeRange } from "../../lib/timeRanges";
import type { MetricLabels, MetricSeries, SeriesPoint } from "../../types/monitoring";
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
  { colour: "var(--chart-3)", dash: "2 2" },
  { colour: "var(--chart-4)", dash: "10 3 2 3" },
  { colour: "var(--chart-5)", dash: "4 4" },
] as const;

/** How many series a split chart draws (the largest by the metric's default aggregation). */
export const SPLIT_TOP = 5;

/** One line of a chart: a metric, or one series of a split metric. */
interface ChartLine {
  key: string;
  label: string;
  unit: string;
  points: readonly SeriesPoint[];
}

type Row = Record<string, number | null> & { t: number };

/** The lines' points merged by time: one row per bucket, a column per line, null for no data. */
function toRows(lines: readonly ChartLine[]): Row[] {
  const rows = new Map<number, Row>();
  for (const line of lines) {
    for (const point of line.points) {
      const t = Date.parse(point.t);
      const row = rows.get(t) ?? { t };
      row[line.key] = point.v;
      rows.set(t, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.t - b.t);
}

/** The chart's lines: one per metric, or, split, one per top series named by its value of the label. */
function linesOf(series: readonly MetricSeries[]): ChartLine[] {
  const [first] = series;
  if (first?.split_by) {
    const label = first.split_by;
    return first.series.map((line, index) => {
      const value = line.labels[label] ?? "";
      return { key: `split-${index}`, label: `${label}=${value === "" ? "(none)" : value}`, unit: first.unit, points: line.points };
    });
  }
  return series.map((line) => ({ key: line.metric, label: line.label, unit: line.unit, points: line.points }));
}

/** The axis's times, without the zone: the chart's caption names it once. */
function timeFormatter(minutes: number): (epochMs: number) => string {
  const style = minutes > 1440 ? "weekdayTime" : "clock";
  return (epochMs) => formatInstant(epochMs, { style, zone: false });
}

/** "latest 36.2%, lowest 12%, highest 80%" over the points that have data. */
function summarise(line: ChartLine): string {
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

function Chart({ lines, aggregation, range }: { lines: readonly ChartLine[]; aggregation: string | undefined; range: TimeRange }) {
  const rows = toRows(lines);
  const unit = lines[0]?.unit ?? "";
  const formatTime = timeFormatter(range.minutes);
  return (
    <div className="chart__plot">
      <LineChart data={rows} responsive style={{ width: "100%", height: "100%" }} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <ChartAxes
          unit={unit}
          formatTime={formatTime}
          formatTooltipTime={(t) => formatInstant(t, { style: "minutes" })}
          // Counts (requests, tasks) come in whole numbers.
          allowDecimals={aggregation !== "sum"}
        />
        {lines.length > 1 && <Legend />}
        {lines.map((line, index) => {
          const style = LINE_STYLES[index % LINE_STYLES.length] ?? LINE_STYLES[0];
          return (
            <Line
              key={line.key}
              dataKey={line.key}
              name={line.label}
              type="linear"
              stroke={style.colour}
              strokeWidth={2}
              strokeDasharray={style.dash}
              // A point with no data on either side would draw nothing as a line: it gets a dot.
              dot={(props: DotProps) => <IsolatedDot {...props} rows={rows} metric={line.key} colour={style.colour} />}
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

/** A chart's choice of series (one `name:value`, or all) and split (a label name, or none). */
function SeriesControls({
  title,
  labels,
  filter,
  splitBy,
  onFilter,
  onSplit,
}: {
  title: string;
  labels: MetricLabels["labels"];
  filter: string;
  splitBy: string;
  onFilter: (filter: string) => void;
  onSplit: (label: string) => void;
}) {
  const id = useId();
  const names = labelNamesOf(labels);
  return (
    <div className="chart__controls" role="group" aria-label={`Series of ${title}`}>
      <div className="field">
        <label htmlFor={`${id}-filter`} className="field__label">
          Series
        </label>
        <select
          id={`${id}-filter`}
          className="field__input"
          value={filter}
          onChange={(event) => {
            onFilter(event.target.value);
          }}
        >
          <option value="">All series</option>
          {names.map((name) => (
            <optgroup key={name} label={name}>
              {(labels[name] ?? []).map((value) => (
                <option key={value} value={`${name}:${value}`}>
                  {name}={value}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-split`} className="field__label">
          Split by
        </label>
        <select
          id={`${id}-split`}
          className="field__input"
          value={splitBy}
          aria-describedby={`${id}-split-hint`}
          onChange={(event) => {
            onSplit(event.target.value);
          }}
        >
          <option value="">Not split</option>
          {names.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <p id={`${id}-split-hint`} className="visually-hidden">
          Split: the top {SPLIT_TOP} series, one line each.
        </p>
      </div>
    </div>
  );
}

/**
 * A metric (or two with the same unit) over the chosen time range, from the series API. A chart of
 * one metric whose series carry labels may show only the series with one label value, or split into
 * its top series by one label, a line each.
 */
export function PerformanceChart({ title, metrics, range }: PerformanceChartProps) {
  const can = useCan();
  const single = metrics.length === 1 ? metrics[0] : undefined;
  const labels = useMetricLabels(single ?? "", { enabled: single !== undefined && can(PERMISSIONS.viewMetrics) });
  const known = labels.data && labelNamesOf(labels.data.labels).length > 0 ? labels.data.labels : undefined;
  const [filter, setFilter] = useState("");
  const [splitBy, setSplitBy] = useState("");
  const results = useMetricSeries(metrics, {
    minutes: range.minutes,
    ...(known && filter ? { labels: [filter] } : {}),
    ...(known && splitBy ? { splitBy, top: SPLIT_TOP } : {}),
  });
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
  } else if (linesOf(series).every((line) => line.points.every((point) => point.v === null))) {
    body = <EmptyState title={`No data in ${range.description}${filter && known ? ` for ${filter.replace(":", "=")}` : ""}.`} />;
  } else {
    const lines = linesOf(series);
    body = (
      <>
        {failed && (
          <p className="notice notice--warning" role="alert">
            The last refresh failed ({failed.error.message}). Showing the previous data.
          </p>
        )}
        <Chart lines={lines} aggregation={series[0]?.aggregation} range={range} />
        <ul className="chart__summary">
          {lines.map((line) => (
            <li key={line.key}>{summarise(line)}</li>
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
      {known && (
        <SeriesControls
          title={title}
          labels={known}
          filter={filter}
          splitBy={splitBy}
          onFilter={setFilter}
          onSplit={setSplitBy}
        />
      )}
      {body}
    </figure>
  );
}
