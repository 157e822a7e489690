import {
  ERROR_ORDERINGS,
  type ErrorFilters,
  type ErrorLevel,
  type ErrorOrdering,
} from "../types/monitoring";

/** The API's page size when none is asked for; the page sizes the error log offers. */
export const DEFAULT_ERROR_PAGE_SIZE = 50;
export const ERROR_PAGE_SIZES = [25, 50, 100] as const;
const MAX_PAGE_SIZE = 200;

const LEVELS: readonly ErrorLevel[] = ["ERROR", "CRITICAL"];

function isLevel(value: string): value is ErrorLevel {
  return (LEVELS as readonly string[]).includes(value);
}

function isOrdering(value: string): value is ErrorOrdering {
  return (ERROR_ORDERINGS as readonly string[]).includes(value);
}

function positiveInteger(value: string | null, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === null || !/^\d+$/.test(value)) return undefined;
  const number = Number(value);
  return number >= 1 && number <= max ? number : undefined;
}

function isoDate(value: string | null): string | undefined {
  if (!value) return undefined;
  return Number.isNaN(Date.parse(value)) ? undefined : value;
}

/**
 * The filters a page's query string asks for. A value the API would refuse is dropped rather than
 * sent, so that a hand-edited link shows the nearest view instead of an error.
 */
export function parseErrorFilters(params: URLSearchParams): ErrorFilters {
  const filters: ErrorFilters = {};
  const q = params.get("q")?.trim();
  if (q) filters.q = q;
  const level = params.get("level");
  if (level && isLevel(level)) filters.level = level;
  const resolved = params.get("resolved");
  if (resolved === "true" || resolved === "false") filters.resolved = resolved === "true";
  const since = isoDate(params.get("since"));
  if (since) filters.since = since;
  const until = isoDate(params.get("until"));
  if (until) filters.until = until;
  const ordering = params.get("ordering");
  if (ordering && isOrdering(ordering)) filters.ordering = ordering;
  const page = positiveInteger(params.get("page"));
  if (page !== undefined && page > 1) filters.page = page;
  const pageSize = positiveInteger(params.get("page_size"), MAX_PAGE_SIZE);
  if (pageSize !== undefined && pageSize !== DEFAULT_ERROR_PAGE_SIZE) filters.page_size = pageSize;
  return filters;
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
  if (filters.page !== undefined && filters.page > 1) params.set("page", String(filters.page));
  if (filters.page_size !== undefined && filters.page_size !== DEFAULT_ERROR_PAGE_SIZE) {
    params.set("page_size", String(filters.page_size));
  }
  return params;
}

/** Whether anything narrows the list (not counting order and paging). */
export function isFiltered(filters: ErrorFilters): boolean {
  return [filters.q, filters.level, filters.since, filters.until].some(Boolean) || filters.resolved !== undefined;
}
