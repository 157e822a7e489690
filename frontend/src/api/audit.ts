import type { AlertRule } from "../types/alerts";
import type { RuleVersion } from "../types/audit";
import { apiRequest } from "./client";

/** A rule's versions, newest first. */
export function fetchRuleVersions(ruleId: number, signal?: AbortSignal): Promise<RuleVersion[]> {
  return apiRequest(`/api/alerts/rules/${ruleId}/versions/`, signal ? { signal } : {});
}

/** Sets a rule back to one of its versions (a 400 when that version no longer validates). */
export function restoreRuleVersion(ruleId: number, number: number): Promise<AlertRule> {
  return apiRequest(`/api/alerts/rules/${ruleId}/versions/${number}/restore/`, { method: "POST" });
}
