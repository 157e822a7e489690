import { alertFiltersToParams } from "./alertFilters";
import { ruleFiltersToParams } from "./ruleFilters";
import type {
  AlertDetail,
  AlertFilters,
  AlertItem,
  AlertRule,
  AlertStats,
  Evaluation,
  Integrations,
  MetricCatalogue,
  MetricHealthList,
  OpenAlertCounts,
  RuleDraft,
  RuleFilters,
  RuleInputBody,
  SavedRule,
  TriggerRequest,
} from "../types/alerts";
import type { Paginated } from "../types/monitoring";
import { apiRequest } from "./client";

function withSignal(signal?: AbortSignal) {
  return signal ? { signal } : {};
}

function withQuery(path: string, params: URLSearchParams): string {
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

// --- Alert history --------------------------------------------------------------------------------

/** A page of the alert history. */
export function fetchAlerts(filters: AlertFilters, signal?: AbortSignal): Promise<Paginated<AlertItem>> {
  return apiRequest(withQuery("/api/alerts/history/", alertFiltersToParams(filters)), withSignal(signal));
}

/** One alert with its notification deliveries. */
export function fetchAlert(id: number, signal?: AbortSignal): Promise<AlertDetail> {
  return apiRequest(`/api/alerts/history/${id}/`, withSignal(signal));
}

/** Resolves an open alert with notes; a 409 when it is resolved already. */
export function resolveAlert(id: number, notes: string): Promise<AlertDetail> {
  return apiRequest(`/api/alerts/history/${id}/resolve/`, { method: "POST", body: { notes } });
}

/** Takes an open alert on ("I have it"), with an optional comment; a 409 when it is resolved. Again changes nothing. */
export function acknowledgeAlert(id: number, comment: string): Promise<AlertDetail> {
  return apiRequest(`/api/alerts/history/${id}/acknowledge/`, { method: "POST", body: { comment } });
}

/** Gives an acknowledged alert back (its reminders resume); a 409 when it is resolved. */
export function unacknowledgeAlert(id: number): Promise<AlertDetail> {
  return apiRequest(`/api/alerts/history/${id}/unacknowledge/`, { method: "POST" });
}

/** Fires a rule's alert by hand; a 409 (with the open alert's id) when it is firing already. */
export function triggerAlert(request: TriggerRequest): Promise<AlertDetail> {
  return apiRequest("/api/alerts/trigger/", { method: "POST", body: request });
}

/** How many alerts are open, by severity. */
export function fetchOpenAlertCounts(signal?: AbortSignal): Promise<OpenAlertCounts> {
  return apiRequest("/api/alerts/open-alerts/", withSignal(signal));
}

// --- Rules ----------------------------------------------------------------------------------------

export function fetchRules(filters: RuleFilters, signal?: AbortSignal): Promise<Paginated<AlertRule>> {
  return apiRequest(withQuery("/api/alerts/rules/", ruleFiltersToParams(filters)), withSignal(signal));
}

export function fetchRule(id: number, signal?: AbortSignal): Promise<AlertRule> {
  return apiRequest(`/api/alerts/rules/${id}/`, withSignal(signal));
}

export function createRule(input: RuleInputBody): Promise<SavedRule> {
  return apiRequest("/api/alerts/rules/", { method: "POST", body: input });
}

export function updateRule(id: number, input: RuleInputBody): Promise<SavedRule> {
  return apiRequest(`/api/alerts/rules/${id}/`, { method: "PUT", body: input });
}

/** Switches a rule on or off (off closes its open alert). */
export function setRuleActive(id: number, isActive: boolean): Promise<AlertRule> {
  return apiRequest(`/api/alerts/rules/${id}/`, { method: "PATCH", body: { is_active: isActive } });
}

/** Deletes a rule; its history stays, and its open alert is closed. */
export function deleteRule(id: number): Promise<undefined> {
  return apiRequest(`/api/alerts/rules/${id}/`, { method: "DELETE" });
}

/** A saved rule, evaluated now; nothing changes. */
export function evaluateRule(id: number): Promise<Evaluation> {
  return apiRequest(`/api/alerts/rules/${id}/evaluate/`, { method: "POST" });
}

/** A rule's fields before they are saved, validated and evaluated now; nothing is saved. */
export function evaluateDraft(draft: RuleDraft): Promise<Evaluation> {
  return apiRequest("/api/alerts/rules/evaluate/", { method: "POST", body: draft });
}

/** What a rule can watch, with current values, and the rule form's choices. */
export function fetchMetricCatalogue(signal?: AbortSignal): Promise<MetricCatalogue> {
  return apiRequest("/api/alerts/metrics/", withSignal(signal));
}

/** Each watched metric's health from its active rules. */
export function fetchMetricHealth(signal?: AbortSignal): Promise<MetricHealthList> {
  return apiRequest("/api/alerts/metric-health/", withSignal(signal));
}

// --- Statistics and integrations ------------------------------------------------------------------

export function fetchAlertStats(days: number, signal?: AbortSignal): Promise<AlertStats> {
  return apiRequest(`/api/alerts/stats/?days=${days}`, withSignal(signal));
}

export function fetchIntegrations(signal?: AbortSignal): Promise<Integrations> {
  return apiRequest("/api/alerts/integrations/", withSignal(signal));
}
