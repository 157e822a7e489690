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
