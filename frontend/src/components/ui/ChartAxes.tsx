import { CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
import { formatTick, formatValue } from "../../lib/format";

interface ChartAxesProps {
  /** The values' unit, as the catalogue gives it. */
  unit: string;
  /** A time on the axis (epoch milliseconds). */
  formatTime: (epochMs: number) => string;
  /** The time at the top of the tooltip. */
  formatTooltipTime: (epochMs: number) => string;
  /** False for counts, which come in whole numbers. */
  allowDecimals?: boolean;
}

/**
 * The grid, the time axis (`t`, epoch milliseconds), the value axis and the tooltip of a line chart
 * over time, in the dashboard's colours. A chart's lines and reference lines come after it.
 */
export function ChartAxes({ unit, formatTime, formatTooltipTime, allowDecimals = true }: ChartAxesProps) {
  return (
    <>
      <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" vertical={false} />
      <XAxis
        dataKey="t"
        type="number"
        scale="time"
        domain={["dataMin", "dataMax"]}
        tickFormatter={formatTime}
        stroke="var(--text-muted)"
        tick={{ fill: "var(--text-muted)", fontSize: 12 }}
        minTickGap={24}
      />
      <YAxis
        width={64}
        stroke="var(--text-muted)"
        tick={{ fill: "var(--text-muted)", fontSize: 12 }}
        tickFormatter={(value: number) => formatTick(value, unit)}
        allowDecimals={allowDecimals}
      />
      <Tooltip
        labelFormatter={(label) => (typeof label === "number" ? formatTooltipTime(label) : "")}
        formatter={(value) => (typeof value === "number" ? formatValue(value, unit) : "no data")}
        contentStyle={{ background: "var(--surface)", borderColor: "var(--border)", color: "var(--text)" }}
      />
    </>
  );
}
