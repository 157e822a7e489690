import { describe, expect, it } from "vitest";
import { formatThreshold } from "./alerting";

describe("formatThreshold", () => {
  it("writes the condition as a symbol and the unit as the catalogue gives it", () => {
    expect(formatThreshold("gte", 80, "%")).toBe(">= 80%");
    expect(formatThreshold("lt", 1, "workers")).toBe("< 1 worker");
    expect(formatThreshold("lte", 3, "workers")).toBe("<= 3 workers");
    expect(formatThreshold("eq", 0, "")).toBe("= 0");
    expect(formatThreshold("ne", 0, "")).toBe("!= 0");
  });
});
