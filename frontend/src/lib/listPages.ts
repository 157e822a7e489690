/** What every paginated list page does with its filters and the router state handed to it. */

interface ListSettings {
  ordering?: string;
  page?: number;
  page_size?: number;
}

/** The same filters on their first page (a new order, page size or filter starts again). */
export function withoutPage<F extends ListSettings>(filters: F): F {
  const next = { ...filters };
  delete next.page;
  return next;
}

/** Only the order and page size of `filters`: what clearing the filters keeps. */
export function listSettingsOf<F extends ListSettings>(filters: F): Pick<F, "ordering" | "page_size"> {
  const kept: Pick<F, "ordering" | "page_size"> = {};
  if (filters.ordering) kept.ordering = filters.ordering;
  if (filters.page_size) kept.page_size = filters.page_size;
  return kept;
}

/** A notice handed over by the page that navigated here (a detail page after a delete, say). */
export function noticeFrom(state: unknown): string | null {
  if (typeof state === "object" && state !== null && "notice" in state && typeof state.notice === "string") {
    return state.notice;
  }
  return null;
}

/** Warnings handed over with a notice (what the server said about a rule just saved). */
export function warningsFrom(state: unknown): string[] {
  if (typeof state === "object" && state !== null && "warnings" in state && Array.isArray(state.warnings)) {
    return state.warnings.filter((warning): warning is string => typeof warning === "string");
  }
  return [];
}

/** The most rows the API returns in one page. */
const MAX_PAGE_SIZE = 200;

/** `value` when it is one of `values`. */
export function oneOf<T extends string>(values: readonly T[], value: string | null | undefined): T | undefined {
  return value != null && (values as readonly string[]).includes(value) ? (value as T) : undefined;
}

/** A whole number from 1 to `max` written in the address, or nothing. */
export function positiveInteger(value: string | null, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === null || !/^\d+$/.test(value)) return undefined;
  const number = Number(value);
  return number >= 1 && number <= max ? number : undefined;
}

/** An instant the browser can read, as written, or nothing. */
export function isoDate(value: string | null): string | undefined {
  if (!value) return undefined;
  return Number.isNaN(Date.parse(value)) ? undefined : value;
}

/** The page and page size an address asks for, leaving out the defaults. */
export function parsePaging(params: URLSearchParams, defaultPageSize: number): { page?: number; page_size?: number } {
  const paging: { page?: number; page_size?: number } = {};
  const page = positiveInteger(params.get("page"));
  if (page !== undefined && page > 1) paging.page = page;
  const pageSize = positiveInteger(params.get("page_size"), MAX_PAGE_SIZE);
  if (pageSize !== undefined && pageSize !== defaultPageSize) paging.page_size = pageSize;
  return paging;
}

/** Writes the page and page size of `filters` into `params`, leaving out the defaults. */
export function writePaging(params: URLSearchParams, filters: ListSettings, defaultPageSize: number): void {
  if (filters.page !== undefined && filters.page > 1) params.set("page", String(filters.page));
  if (filters.page_size !== undefined && filters.page_size !== defaultPageSize) {
    params.set("page_size", String(filters.page_size));
  }
}
