import { render } from "@testing-library/react";
import { Line, LineChart } from "recharts";
import { describe, expect, it } from "vitest";
import { ChartAxes } from "./ChartAxes";

describe("ChartAxes", () => {
  it("draws the grid and both axes of the chart it sits in, with the given formats", () => {
    const start = Date.parse("2026-11-27T17:00:00Z");
    const points = [
      { t: start, v: 10 },
      { t: Date.parse("2026-11-27T17:30:00Z"), v: 40 },
    ];
    const { container } = render(
      <LineChart data={points} width={400} height={200}>
        <ChartAxes unit="%" formatTime={(t) => `at ${t}`} formatTooltipTime={String} />
        <Line dataKey="v" isAnimationActive={false} />
      </LineChart>,
    );
    expect(container.querySelector(".recharts-cartesian-grid")).not.toBeNull();
    const ticks = [...container.querySelectorAll(".recharts-cartesian-axis-tick-value")].map((tick) => tick.textContent);
    expect(ticks).toContain(`at ${start}`);
    expect(ticks.some((tick) => tick.endsWith("%"))).toBe(true);
  });
});
