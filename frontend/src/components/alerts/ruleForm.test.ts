import { describe, expect, it } from "vitest";
import { rule } from "../../test/fixtures";
import { bodyOf, NEW_RULE, valuesOf } from "./ruleForm";

describe("bodyOf", () => {
  it("sends numbers as numbers, text the server should judge as text, and blank optional fields as none", () => {
    const body = bodyOf({ ...NEW_RULE, name: " CPU ", threshold_value: "80.5", time_window_minutes: "abc", resolve_threshold: " " });
    expect(body.name).toBe("CPU");
    expect(body.threshold_value).toBe(80.5);
    expect(body.time_window_minutes).toBe("abc");
    expect(body.resolve_threshold).toBeNull();
    expect(bodyOf({ ...NEW_RULE, threshold_value: "" }).threshold_value).toBe("");
  });

  it("sends a promql rule's expression and data source, and no metric", () => {
    const body = bodyOf({ ...NEW_RULE, kind: "promql", expr: "my_queue_depth > 100", data_source: "3", metric_name: "cpu_usage" });
    expect(body.kind).toBe("promql");
    expect(body.expr).toBe("my_queue_depth > 100");
    expect(body.data_source).toBe(3);
    expect("metric_name" in body).toBe(false);
  });

  it("sends a metric rule's metric, and no expression or data source", () => {
    const body = bodyOf({ ...NEW_RULE, metric_name: "cpu_usage", expr: "left over", data_source: "3" });
    expect(body).toMatchObject({ kind: "metric", metric_name: "cpu_usage", expr: "", data_source: null });
  });
});

describe("valuesOf", () => {
  it("keeps a promql rule's kind, expression and data source", () => {
    const values = valuesOf(rule({ kind: "promql", expr: "up == 0", data_source: 7, metric_name: "" }));
    expect(values).toMatchObject({ kind: "promql", expr: "up == 0", data_source: "7" });
  });
});
