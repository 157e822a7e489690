import { describe, expect, it } from "vitest";
import { formatTick, formatValue } from "./format";

describe("formatValue", () => {
  it.each([
    [36.2, "%", "36.2%"],
    [0, "%", "0%"],
    [123.456, "ms", "123 ms"],
    [1.0249, "ms", "1.02 ms"],
    [0.0523, "ms", "0.052 ms"],
    [1234, "requests", "1,234 requests"],
    [1, "workers", "1 worker"],
    [1, "queries", "1 query"],
    [1, "ms", "1 ms"],
    [2, "workers", "2 workers"],
    [512.4, "MB", "512 MB"],
    [0.0046, "USD", "$0.005"],
    [12.5, "USD", "$12.50"],
    [42, "", "42"],
  ])("%d %s is %s", (value, unit, text) => {
    expect(formatValue(value, unit)).toBe(text);
  });
});

describe("formatTick", () => {
  it("keeps symbols and leaves nouns to the chart's title", () => {
    expect(formatTick(80, "%")).toBe("80%");
    expect(formatTick(120, "ms")).toBe("120 ms");
    expect(formatTick(1500, "requests")).toBe("1,500");
  });
});
