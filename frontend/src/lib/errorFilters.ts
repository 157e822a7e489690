import {
  ERROR_ORDERINGS,
  type ErrorFilters,
  type ErrorLevel,
  type ErrorOrdering,
} from "../types/monitoring";
import { isoDate, oneOf, parsePaging, writePaging } from "./listPages";

/** The API's page size when none is asked for; the page sizes the error log offers. */
export const DEFAULT_ERROR_PAGE_SIZE = 50;
export const ERROR_PAGE_SIZES = [25, 50, 100] as const;
const LEVELS: readonly ErrorLevel[] = ["ERROR", "CRITICAL"];

/**
 * The filters a page's query string asks for. A value the API would refuse is dropped rather than
 * sent, so that a hand-edited link shows the nearest view instead of an error.
 */
export function parseErrorFilters(params: URLSearchParams): ErrorFilters {
  const filters: ErrorFilters = {};
  const q = params.get("q")?.trim();
  if (q) filters.q = q;
  const level = oneOf(LEVELS, params.get("level"));
  if (level) filters.level = level;
  const resolved = params.get("resolved");
  if (resolved === "true" || resolved === "false") filters.resolved = resolved === "true";
  const since = isoDate(params.get("since"));
  if (since) filters.since = since;
  const until = isoDate(params.get("until"));
  if (until) filters.until = until;
  const ordering = oneOf<ErrorOrdering>(ERROR_ORDERINGS, params.get("ordering"));
  if (ordering) filters.ordering = ordering;
  return { ...filters, ...parsePaging(params, DEFAULT_ERROR_PAGE_SIZE) };
}

/**
 * The query string for `filters`, in a fixed order and without defaults: the same for the page's
 * address and the API request, and the same for equal filters (it is part of the query key).
 */
export function errorFiltersToParams(filters: ErrorFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.q) params.set("q", filters.q);
  if (filters.level) params.set("level", filters.level);
  if (filters.resolved !== undefined) params.set("resolved", String(filters.resolved));
  if (filters.since) params.set("since", filters.since);
  if (filters.until) params.set("until", filters.until);
  if (filters.ordering) params.set("ordering", filters.ordering);
  writePaging(params, filters, DEFAULT_ERROR_PAGE_SIZE);
  return params;
}

/** Whether anything narrows the list (not counting order and paging). */
export function isFiltered(filters: ErrorFilters): boolean {
  return [filters.q, filters.level, filters.since, filters.until].some(Boolean) || filters.resolved !== undefined;
}
