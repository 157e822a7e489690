import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { alertKeys, invalidateAfterAcknowledgement, ruleKeys, statsKeys, timelineKeys } from "./queryKeys";

describe("invalidateAfterAcknowledgement", () => {
  it("marks the alert lists, details, timelines and statistics stale, and leaves the rules and open counts", async () => {
    const queryClient = new QueryClient();
    const keys = {
      list: alertKeys.list({ status: "active" }),
      detail: alertKeys.detail(1),
      timeline: timelineKeys.alert(1),
      stats: statsKeys.period(7),
      openCounts: alertKeys.openCounts(),
      rules: ruleKeys.list({}),
      health: ruleKeys.health(),
    };
    for (const key of Object.values(keys)) queryClient.setQueryData(key, {});

    await invalidateAfterAcknowledgement(queryClient);

    const stale = Object.entries(keys)
      .filter(([, key]) => queryClient.getQueryState(key)?.isInvalidated)
      .map(([name]) => name);
    expect(stale).toEqual(["list", "detail", "timeline", "stats"]);
  });
});
