import type { AlertRule } from "../types/alerts";
import type { AuditEntry, RuleVersion } from "../types/audit";
import type { Paginated } from "../types/monitoring";
import { apiRequest } from "./client";

/** A rule's versions, newest first. */
export function fetchRuleVersions(ruleId: number, signal?: AbortSignal): Promise<RuleVersion[]> {
  return apiRequest(`/api/alerts/rules/${ruleId}/versions/`, signal ? { signal } : {});
}

/** Sets a rule back to one of its versions (a 400 when that version no longer validates). */
export function restoreRuleVersion(ruleId: number, number: number): Promise<AlertRule> {
  return apiRequest(`/api/alerts/rules/${ruleId}/versions/${number}/restore/`, { method: "POST" });
}

export interface AuditFilters {
  object_type?: string;
  user?: string;
  source?: string;
  page?: number;
}

/** A page of the audit trail, newest first (managers and superusers). */
export function fetchAudit(filters: AuditFilters, signal?: AbortSignal): Promise<Paginated<AuditEntry>> {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) {
    if (value !== undefined && value !== "") params.set(name, String(value));
  }
  const search = params.toString();
  return apiRequest(search ? `/api/audit/?${search}` : "/api/audit/", signal ? { signal } : {});
}
