import { useMemo } from "react";
import { useSearchParams } from "react-router";
import { withoutPage, type ListFilters, type ListSettings, type Ordering } from "../lib/listPages";

/**
 * A paginated list page's filters, read from its address, and what its order and page-size
 * controls and its pages write back there. `onApply` runs before each change the reader asks for
 * (to clear an outcome that belongs to the view they leave).
 */
export function useListPage<F extends ListSettings>(list: ListFilters<F>, onApply?: () => void) {
  const [searchParams, setSearchParams] = useSearchParams();
  const filters = useMemo(() => list.parse(searchParams), [list, searchParams]);
  /** The view's query string: the same for equal views. */
  const search = list.toParams(filters).toString();

  /** Shows `next`, without `onApply`. */
  const show = (next: F) => {
    setSearchParams(list.toParams(next));
  };
  const apply = (next: F) => {
    onApply?.();
    show(next);
  };
  const ordering: Ordering<F> | undefined = filters.ordering;
  const page = filters.page ?? 1;
  const pageSize = filters.page_size ?? list.defaultPageSize;

  return {
    filters,
    search,
    show,
    apply,
    /** The props of `ListControls`. */
    controls: {
      ordering: ordering ?? list.defaultOrdering,
      orderings: list.orderings,
      onOrderingChange: (chosen: Ordering<F>) => {
        const next = withoutPage(filters);
        if (chosen === list.defaultOrdering) delete next.ordering;
        else next.ordering = chosen;
        apply(next);
      },
      pageSize,
      pageSizes: list.pageSizes,
      onPageSizeChange: (size: number) => {
        apply({ ...withoutPage(filters), page_size: size });
      },
    },
    /** The paging props of `PagedList`. */
    paging: {
      page,
      pageSize,
      filtered: list.isFiltered(filters),
      onPageChange: (next: number) => {
        apply({ ...filters, page: next });
      },
      onFirstPage: () => {
        apply(withoutPage(filters));
      },
      onClearFilters: () => {
        // Every filter, order and page of a list is optional.
        apply({} as F);
      },
    },
  };
}
