import { describe, expect, it } from "vitest";
import { alertFiltersToParams, parseAlertFilters } from "./alertFilters";
import { parseRuleFilters, ruleFiltersToParams } from "./ruleFilters";

describe("alert and rule filters in the address", () => {
  it("round-trip and drop what the API would refuse", () => {
    const filters = parseAlertFilters(new URLSearchParams("status=active&severity=huge&rule=3&ordering=severity,-triggered_at&page=1"));
    expect(filters).toEqual({ status: "active", rule: 3, ordering: "severity,-triggered_at" });
    expect(alertFiltersToParams(filters).toString()).toBe("status=active&rule=3&ordering=severity%2C-triggered_at");

    // A label filter is name:value (an empty value: the label is absent); anything else is dropped.
    expect(parseAlertFilters(new URLSearchParams("label=route:/api/orders/"))).toEqual({ label: "route:/api/orders/" });
    expect(parseAlertFilters(new URLSearchParams("label=team:"))).toEqual({ label: "team:" });
    expect(parseAlertFilters(new URLSearchParams("label=Route:/x"))).toEqual({});
    expect(parseAlertFilters(new URLSearchParams("label=route"))).toEqual({});

    // Acknowledged or not: true or false, anything else is no filter.
    expect(parseAlertFilters(new URLSearchParams("acknowledged=true"))).toEqual({ acknowledged: true });
    expect(alertFiltersToParams({ status: "active", acknowledged: false }).toString()).toBe("status=active&acknowledged=false");
    expect(parseAlertFilters(new URLSearchParams("acknowledged=1"))).toEqual({});

    const rules = parseRuleFilters(new URLSearchParams("search= cpu &is_active=yes&metric_name=Bad-Name&state=firing"));
    expect(rules).toEqual({ search: "cpu", state: "firing" });
    expect(ruleFiltersToParams({ ...rules, is_active: false }).toString()).toBe("search=cpu&is_active=false&state=firing");
  });
});
