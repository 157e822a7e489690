import { describe, expect, it } from "vitest";
import { readAlertContext } from "./alertContext";

describe("readAlertContext", () => {
  it("reads the engine's context: window, aggregation, points oldest first", () => {
    const context = readAlertContext({
      window_minutes: 5,
      aggregation: "avg",
      resolve_threshold: 70,
      points: [
        ["2026-11-27T17:18:00+00:00", 95],
        ["2026-11-27T17:16:00+00:00", null],
      ],
    });
    expect(context.windowMinutes).toBe(5);
    expect(context.aggregation).toBe("avg");
    expect(context.resolveThreshold).toBe(70);
    expect(context.points).toEqual([
      { t: Date.parse("2026-11-27T17:16:00Z"), v: null },
      { t: Date.parse("2026-11-27T17:18:00Z"), v: 95 },
    ]);
  });

  it("leaves out what is missing or malformed rather than guessing", () => {
    const context = readAlertContext({ window_minutes: "5", points: [["not a time", 1], ["2026-11-27T17:18:00Z", "9"], 3] });
    expect(context.windowMinutes).toBeNull();
    expect(context.aggregation).toBeNull();
    expect(context.points).toEqual([]);
  });
});
