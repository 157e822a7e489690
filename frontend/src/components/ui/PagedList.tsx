import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { ApiError } from "../../api/client";
import type { Paginated } from "../../types/monitoring";
import { EmptyState } from "./EmptyState";
import { ErrorState } from "./ErrorState";
import { LoadingState } from "./LoadingState";
import { Pagination } from "./Pagination";
import { QueryError } from "./QueryError";

interface PagedListProps<T> {
  query: UseQueryResult<Paginated<T>>;
  /** What the list is, in a sentence: "the alert history". */
  what: string;
  /** Said while the first page loads; "Loading <what>…" when not given. */
  loadingLabel?: string;
  /** One item, for the count under the list: "alert". */
  noun: string;
  page: number;
  pageSize: number;
  /** Whether filters narrow the list, so that an empty list says so and offers to clear them. */
  filtered: boolean;
  /** The empty list's title while filters narrow it: "No alerts match these filters." */
  noMatchTitle: string;
  /** What an empty list says when nothing narrows it. */
  empty: ReactNode;
  onPageChange: (page: number) => void;
  /** Back to the first page (the page in the address no longer exists). */
  onFirstPage: () => void;
  onClearFilters: () => void;
  /** The rows of one page. */
  children: (items: readonly T[], busy: boolean) => ReactNode;
}

/**
 * The body of a paginated list: loading, failure (a page past the end offers the first one), empty
 * with or without filters, or the rows and the pages. A failed refresh keeps the rows it had and says so.
 */
export function PagedList<T>({
  query,
  what,
  loadingLabel,
  noun,
  page,
  pageSize,
  filtered,
  noMatchTitle,
  empty,
  onPageChange,
  onFirstPage,
  onClearFilters,
  children,
}: PagedListProps<T>) {
  if (query.isPending) return <LoadingState label={loadingLabel ?? `Loading ${what}…`} />;
  if (query.isError && !query.data) {
    if (query.error instanceof ApiError && query.error.status === 404 && page > 1) {
      return (
        <ErrorState
          title={`This page of ${what} does not exist`}
          message="The list is shorter than it was when this link was made."
          onRetry={onFirstPage}
        />
      );
    }
    return <QueryError error={query.error} what={what} onRetry={() => void query.refetch()} />;
  }
  const { data } = query;
  if (data.count === 0) {
    return filtered ? (
      <EmptyState title={noMatchTitle}>
        <button type="button" className="button button--secondary" onClick={onClearFilters}>
          Clear filters
        </button>
      </EmptyState>
    ) : (
      empty
    );
  }
  return (
    <>
      {query.isError && (
        <p className="notice notice--warning" role="alert">
          The last refresh failed ({query.error.message}). Showing the previous list.
        </p>
      )}
      {children(data.results, query.isPlaceholderData)}
      <Pagination
        page={page}
        pageSize={pageSize}
        count={data.count}
        shown={data.results.length}
        noun={noun}
        onPageChange={onPageChange}
      />
    </>
  );
}
