/** What every paginated list page does with its filters and the router state handed to it. */

export interface ListSettings {
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
/** The API's page size when none is asked for, and the sizes the list pages offer. */
const DEFAULT_PAGE_SIZE = 50;
const PAGE_SIZES = [25, 50, 100] as const;

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

/** How one filter is read from the address (nothing when the API would refuse it) and written back. */
export interface ParamField<V> {
  read: (raw: string | null) => V | undefined;
  write: (value: V) => string;
}

/** The kinds of filter the list pages take. */
export const param = {
  /** Free text, trimmed; blank is no filter. */
  text: (): ParamField<string> => ({
    read: (raw) => {
      const text = raw?.trim();
      return text === "" ? undefined : text;
    },
    write: String,
  }),
  /** A name the API would accept. */
  matching: (pattern: RegExp): ParamField<string> => ({
    read: (raw) => (raw && pattern.test(raw) ? raw : undefined),
    write: String,
  }),
  /** One of a fixed set of values. */
  choice: <T extends string>(values: readonly T[]): ParamField<T> => ({ read: (raw) => oneOf(values, raw), write: String }),
  /** `true` or `false`. */
  flag: (): ParamField<boolean> => ({
    read: (raw) => (raw === "true" || raw === "false" ? raw === "true" : undefined),
    write: String,
  }),
  /** An object's id. */
  id: (): ParamField<number> => ({ read: (raw) => positiveInteger(raw), write: String }),
  /** An ISO 8601 instant. */
  instant: (): ParamField<string> => ({ read: isoDate, write: String }),
};

/** The orders a list of `F` can be sorted in. */
export type Ordering<F extends ListSettings> = NonNullable<F["ordering"]>;
type FilterKey<F> = Exclude<keyof F, keyof ListSettings>;

/** One list page's filters, order and paging, described once. */
export interface ListDescription<F extends ListSettings> {
  /** Each filter by its name in the address and the API, in the order they are written. */
  fields: { [K in FilterKey<F>]-?: ParamField<NonNullable<F[K]>> };
  /** The "Sort by" choices and their labels, in the order offered. */
  orderings: Record<Ordering<F>, string>;
  /** The API's order when none is asked for: never written to the address. */
  defaultOrdering: Ordering<F>;
  /** Whether an address that names the default order keeps it when read (the error log's does). */
  keepsDefaultOrdering?: boolean;
}

export interface ListFilters<F extends ListSettings> {
  /** The filters a page's address asks for; a value the API would refuse is dropped rather than sent,
   * so that a hand-edited link shows the nearest view. */
  parse: (params: URLSearchParams) => F;
  /** The query string for `filters`, in a fixed order and without defaults: the same for the page's
   * address and the API request, and the same for equal filters (it is part of the query key). */
  toParams: (filters: F) => URLSearchParams;
  /** Whether anything narrows the list (not counting order and paging). */
  isFiltered: (filters: F) => boolean;
  orderings: readonly { value: Ordering<F>; label: string }[];
  defaultOrdering: Ordering<F>;
  defaultPageSize: number;
  pageSizes: readonly number[];
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== "";
}

/** Reading and writing a list page's address from its description. */
export function defineListFilters<F extends ListSettings>(description: ListDescription<F>): ListFilters<F> {
  const { fields, defaultOrdering } = description;
  const keys = Object.keys(fields) as FilterKey<F>[];
  const orderings = (Object.keys(description.orderings) as Ordering<F>[]).map((value) => ({
    value,
    label: description.orderings[value],
  }));
  const orderingField = param.choice(orderings.map((choice) => choice.value));
  const written = (ordering: string | undefined) =>
    ordering !== undefined && (description.keepsDefaultOrdering === true || ordering !== defaultOrdering);

  const parse = (params: URLSearchParams): F => {
    const filters: Partial<Record<keyof F, unknown>> = {};
    for (const key of keys) {
      const value = fields[key].read(params.get(String(key)));
      if (value !== undefined) filters[key] = value;
    }
    const ordering = orderingField.read(params.get("ordering"));
    if (written(ordering)) filters.ordering = ordering;
    const page = positiveInteger(params.get("page"));
    if (page !== undefined && page > 1) filters.page = page;
    const pageSize = positiveInteger(params.get("page_size"), MAX_PAGE_SIZE);
    if (pageSize !== undefined && pageSize !== DEFAULT_PAGE_SIZE) filters.page_size = pageSize;
    return filters as F;
  };

  const toParams = (filters: F): URLSearchParams => {
    const params = new URLSearchParams();
    for (const key of keys) {
      const value = filters[key];
      if (isSet(value)) params.set(String(key), fields[key].write(value as NonNullable<F[typeof key]>));
    }
    const { ordering, page, page_size: pageSize } = filters;
    if (ordering && written(ordering)) params.set("ordering", ordering);
    if (page !== undefined && page > 1) params.set("page", String(page));
    if (pageSize !== undefined && pageSize !== DEFAULT_PAGE_SIZE) params.set("page_size", String(pageSize));
    return params;
  };

  const isFiltered = (filters: F): boolean => keys.some((key) => isSet(filters[key]));

  return { parse, toParams, isFiltered, orderings, defaultOrdering, defaultPageSize: DEFAULT_PAGE_SIZE, pageSizes: PAGE_SIZES };
}
