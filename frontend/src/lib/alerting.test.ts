import { describe, expect, it } from "vitest";
import { healthEntry } from "../test/fixtures";
import { readAlertContext } from "./alertContext";
import { formatDuration, formatThreshold } from "./alerting";
import { cardHealth } from "./metricHealth";
import { bodyOf, NEW_RULE } from "./ruleForm";

describe("formatDuration", () => {
  it.each([
    [0, "0 s"],
    [45, "45 s"],
    [750, "12 min 30 s"],
    [7200, "2 h"],
    [7260, "2 h 1 min"],
    [90_061, "1 d 1 h"],
    [86_460, "1 d"],
  ])("%s s is %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe("formatThreshold", () => {
  it("writes the condition as a symbol and the unit as the catalogue gives it", () => {
    expect(formatThreshold("gte", 80, "%")).toBe(">= 80%");
    expect(formatThreshold("lt", 1, "workers")).toBe("< 1 worker");
    expect(formatThreshold("lte", 3, "workers")).toBe("<= 3 workers");
    expect(formatThreshold("eq", 0, "")).toBe("= 0");
    expect(formatThreshold("ne", 0, "")).toBe("!= 0");
  });
});

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

describe("bodyOf", () => {
  it("sends numbers as numbers, text the server should judge as text, and blank optional fields as none", () => {
    const body = bodyOf({ ...NEW_RULE, name: " CPU ", threshold_value: "80.5", time_window_minutes: "abc", resolve_threshold: " " });
    expect(body.name).toBe("CPU");
    expect(body.threshold_value).toBe(80.5);
    expect(body.time_window_minutes).toBe("abc");
    expect(body.resolve_threshold).toBeNull();
    expect(bodyOf({ ...NEW_RULE, threshold_value: "" }).threshold_value).toBe("");
  });
});

describe("cardHealth", () => {
  it("is the worst of the card's metrics, and says what it rests on", () => {
    expect(cardHealth([])).toBeNull();
    expect(
      cardHealth([
        healthEntry({ metric_name: "a", active_rules: 2, ok: 2 }),
        healthEntry({ metric_name: "b", active_rules: 1, ok: 0, error: 1, health: "warning" }),
      ]),
    ).toEqual({ health: "warning", detail: "1 in error" });
    expect(cardHealth([healthEntry({ active_rules: 3, ok: 1, firing: 2, health: "critical" })])).toEqual({
      health: "critical",
      detail: "2 of 3 rules firing",
    });
  });
});
