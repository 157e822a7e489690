import { describe, expect, it } from "vitest";
import { healthEntry } from "../../test/fixtures";
import { cardHealth } from "./metricHealth";

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
