import {
  ALERT_ORDERINGS,
  ALERT_STATUSES,
  SEVERITIES,
  type AlertFilters,
  type AlertOrdering,
  type AlertStatus,
  type Severity,
} from "../types/alerts";
import { isoDate, oneOf, parsePaging, positiveInteger, writePaging } from "./listPages";

/** The API's page size when none is asked for. */
export const DEFAULT_ALERT_PAGE_SIZE = 50;
export const ALERT_PAGE_SIZES = [25, 50, 100] as const;
export function isSeverity(value: string): value is Severity {
  return oneOf(SEVERITIES, value) !== undefined;
}

/**
 * The alert history's filters that a page's address asks for. A value the API would refuse is
 * dropped rather than sent, so that a hand-edited link shows the nearest view.
 */
export function parseAlertFilters(params: URLSearchParams): AlertFilters {
  const filters: AlertFilters = {};
  const severity = oneOf<Severity>(SEVERITIES, params.get("severity"));
  if (severity) filters.severity = severity;
  const rule = positiveInteger(params.get("rule"));
  if (rule !== undefined) filters.rule = rule;
  const status = oneOf<AlertStatus>(ALERT_STATUSES, params.get("status"));
  if (status) filters.status = status;
  const since = isoDate(params.get("since"));
  if (since) filters.since = since;
  const until = isoDate(params.get("until"));
  if (until) filters.until = until;
  const ordering = oneOf<AlertOrdering>(ALERT_ORDERINGS, params.get("ordering"));
  if (ordering && ordering !== "-triggered_at") filters.ordering = ordering;
  return { ...filters, ...parsePaging(params, DEFAULT_ALERT_PAGE_SIZE) };
}

/** The query string for `filters`, in a fixed order and without defaults (the page's address and
 * the API request alike). */
export function alertFiltersToParams(filters: AlertFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.status) params.set("status", filters.status);
  if (filters.severity) params.set("severity", filters.severity);
  if (filters.rule !== undefined) params.set("rule", String(filters.rule));
  if (filters.since) params.set("since", filters.since);
  if (filters.until) params.set("until", filters.until);
  if (filters.ordering && filters.ordering !== "-triggered_at") params.set("ordering", filters.ordering);
  writePaging(params, filters, DEFAULT_ALERT_PAGE_SIZE);
  return params;
}

/** Whether anything narrows the list (not counting order and paging). */
export function isAlertListFiltered(filters: AlertFilters): boolean {
  return (
    [filters.severity, filters.status, filters.since, filters.until].some(Boolean) || filters.rule !== undefined
  );
}
