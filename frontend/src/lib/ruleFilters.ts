import { RULE_ORDERINGS, RULE_STATES, SEVERITIES, type RuleFilters, type RuleOrdering, type RuleState, type Severity } from "../types/alerts";
import { oneOf, parsePaging, writePaging } from "./listPages";

export const DEFAULT_RULE_PAGE_SIZE = 50;
const METRIC_NAME = /^[a-z][a-z0-9_]{0,63}$/;

/** The rule list's filters that a page's address asks for; values the API would refuse are dropped. */
export function parseRuleFilters(params: URLSearchParams): RuleFilters {
  const filters: RuleFilters = {};
  const search = params.get("search")?.trim();
  if (search) filters.search = search;
  const active = params.get("is_active");
  if (active === "true" || active === "false") filters.is_active = active === "true";
  const severity = oneOf<Severity>(SEVERITIES, params.get("severity"));
  if (severity) filters.severity = severity;
  const metric = params.get("metric_name");
  if (metric && METRIC_NAME.test(metric)) filters.metric_name = metric;
  const state = oneOf<RuleState>(RULE_STATES, params.get("state"));
  if (state) filters.state = state;
  const ordering = oneOf<RuleOrdering>(RULE_ORDERINGS, params.get("ordering"));
  if (ordering && ordering !== "name") filters.ordering = ordering;
  return { ...filters, ...parsePaging(params, DEFAULT_RULE_PAGE_SIZE) };
}

export function ruleFiltersToParams(filters: RuleFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.search) params.set("search", filters.search);
  if (filters.is_active !== undefined) params.set("is_active", String(filters.is_active));
  if (filters.severity) params.set("severity", filters.severity);
  if (filters.metric_name) params.set("metric_name", filters.metric_name);
  if (filters.state) params.set("state", filters.state);
  if (filters.ordering && filters.ordering !== "name") params.set("ordering", filters.ordering);
  writePaging(params, filters, DEFAULT_RULE_PAGE_SIZE);
  return params;
}

export function isRuleListFiltered(filters: RuleFilters): boolean {
  return (
    [filters.search, filters.severity, filters.metric_name, filters.state].some(Boolean) ||
    filters.is_active !== undefined
  );
}
