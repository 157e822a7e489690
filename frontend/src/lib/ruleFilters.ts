import { RULE_ORDERINGS, RULE_STATES, SEVERITIES, type RuleFilters, type RuleOrdering, type RuleState, type Severity } from "../types/alerts";
import { positiveInteger } from "./alertFilters";

export const DEFAULT_RULE_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;
const METRIC_NAME = /^[a-z][a-z0-9_]{0,63}$/;

function oneOf<T extends string>(values: readonly T[], value: string | null): T | undefined {
  return value !== null && (values as readonly string[]).includes(value) ? (value as T) : undefined;
}

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
  const page = positiveInteger(params.get("page"));
  if (page !== undefined && page > 1) filters.page = page;
  const pageSize = positiveInteger(params.get("page_size"), MAX_PAGE_SIZE);
  if (pageSize !== undefined && pageSize !== DEFAULT_RULE_PAGE_SIZE) filters.page_size = pageSize;
  return filters;
}

export function ruleFiltersToParams(filters: RuleFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.search) params.set("search", filters.search);
  if (filters.is_active !== undefined) params.set("is_active", String(filters.is_active));
  if (filters.severity) params.set("severity", filters.severity);
  if (filters.metric_name) params.set("metric_name", filters.metric_name);
  if (filters.state) params.set("state", filters.state);
  if (filters.ordering && filters.ordering !== "name") params.set("ordering", filters.ordering);
  if (filters.page !== undefined && filters.page > 1) params.set("page", String(filters.page));
  if (filters.page_size !== undefined && filters.page_size !== DEFAULT_RULE_PAGE_SIZE) {
    params.set("page_size", String(filters.page_size));
  }
  return params;
}

export function isRuleListFiltered(filters: RuleFilters): boolean {
  return (
    [filters.search, filters.severity, filters.metric_name, filters.state].some(Boolean) ||
    filters.is_active !== undefined
  );
}
