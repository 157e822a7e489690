import { describe, expect, it } from "vitest";
import { bodyOf, NEW_RULE } from "./ruleForm";

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
