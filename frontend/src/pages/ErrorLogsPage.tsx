import { useId, useMemo, useState } from "react";
import { useLocation, useSearchParams } from "react-router";
import { ApiError } from "../api/client";
import {
  describeFailure,
  describeOutcome,
  ErrorBulkActions,
  type BulkOutcome,
} from "../components/monitoring/ErrorBulkActions";
import { ErrorFiltersForm } from "../components/monitoring/ErrorFiltersForm";
import { ErrorLogTable } from "../components/monitoring/ErrorLogTable";
import { EmptyState } from "../components/ui/EmptyState";
import { ErrorState } from "../components/ui/ErrorState";
import { LoadingState } from "../components/ui/LoadingState";
import { Pagination } from "../components/ui/Pagination";
import { useBulkErrorAction, useErrorLogs } from "../hooks/monitoring/useMonitoring";
import { usePageTitle } from "../hooks/usePageTitle";
import {
  DEFAULT_ERROR_PAGE_SIZE,
  ERROR_PAGE_SIZES,
  errorFiltersToParams,
  isFiltered,
  parseErrorFilters,
} from "../lib/errorFilters";
import { plural } from "../lib/text";
import { ERROR_ORDERINGS, type ErrorBulkAction, type ErrorFilters, type ErrorOrdering } from "../types/monitoring";

const ORDERING_LABELS: Record<ErrorOrdering, string> = {
  "-last_seen": "Last seen, newest first",
  last_seen: "Last seen, oldest first",
  "-first_seen": "First seen, newest first",
  first_seen: "First seen, oldest first",
  "-occurrences": "Most occurrences",
  level: "Critical first",
};

function isOrdering(value: string): value is ErrorOrdering {
  return (ERROR_ORDERINGS as readonly string[]).includes(value);
}

/** The same filters on their first page (a new order or page size starts again). */
function withoutPage(filters: ErrorFilters): ErrorFilters {
  const next = { ...filters };
  delete next.page;
  return next;
}

/** A notice handed over by the page that navigated here (the detail page after a delete). */
function noticeFrom(state: unknown): string | null {
  if (typeof state === "object" && state !== null && "notice" in state && typeof state.notice === "string") {
    return state.notice;
  }
  return null;
}

function ListControls({ filters, onChange }: { filters: ErrorFilters; onChange: (filters: ErrorFilters) => void }) {
  const id = useId();
  return (
    <div className="list-controls">
      <div className="field field--inline">
        <label htmlFor={`${id}-ordering`} className="field__label">
          Sort by
        </label>
        <select
          id={`${id}-ordering`}
          className="field__input"
          value={filters.ordering ?? "-last_seen"}
          onChange={(event) => {
            const value = event.target.value;
            if (!isOrdering(value)) return;
            const next = withoutPage(filters);
            if (value === "-last_seen") delete next.ordering;
            else next.ordering = value;
            onChange(next);
          }}
        >
          {ERROR_ORDERINGS.map((value) => (
            <option key={value} value={value}>
              {ORDERING_LABELS[value]}
            </option>
          ))}
        </select>
      </div>
      <div className="field field--inline">
        <label htmlFor={`${id}-size`} className="field__label">
          Per page
        </label>
        <select
          id={`${id}-size`}
          className="field__input"
          value={filters.page_size ?? DEFAULT_ERROR_PAGE_SIZE}
          onChange={(event) => {
            const next = withoutPage(filters);
            const size = Number(event.target.value);
            if (size === DEFAULT_ERROR_PAGE_SIZE) delete next.page_size;
            else next.page_size = size;
            onChange(next);
          }}
        >
          {ERROR_PAGE_SIZES.map((size) => (
            <option key={size} value={size}>
              {size}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}

/** The error log: search, filters, order and page in the address, bulk actions on a selection. */
export function ErrorLogsPage() {
  usePageTitle("Error logs");
  const [searchParams, setSearchParams] = useSearchParams();
  const location = useLocation();
  const filters = useMemo(() => parseErrorFilters(searchParams), [searchParams]);
  const listSearch = errorFiltersToParams(filters).toString();
  const logs = useErrorLogs(filters);
  const bulk = useBulkErrorAction();
  const [outcome, setOutcome] = useState<BulkOutcome | null>(null);
  // The selection belongs to one view: another page or other filters start with none.
  const [selection, setSelection] = useState<{ view: string; ids: ReadonlySet<number> }>({
    view: listSearch,
    ids: new Set(),
  });
  const shown = logs.data?.results ?? [];
  const selected = new Set(
    selection.view === listSearch ? shown.filter((entry) => selection.ids.has(entry.id)).map((entry) => entry.id) : [],
  );
  const handedOver = noticeFrom(location.state);

  const applyFilters = (next: ErrorFilters) => {
    setOutcome(null);
    setSearchParams(errorFiltersToParams(next));
  };

  const runBulk = (action: ErrorBulkAction) => {
    const ids = [...selected];
    setOutcome(null);
    bulk.mutate(
      { ids, action },
      {
        onSuccess: (result) => {
          setOutcome({ kind: "success", message: describeOutcome(action, ids.length, result) });
          setSelection({ view: listSearch, ids: new Set() });
          // Deleting the whole of the last page: show the page before it, which still exists.
          const page = filters.page ?? 1;
          if (action === "delete" && page > 1 && result.changed >= shown.length) {
            setSearchParams(errorFiltersToParams({ ...filters, page: page - 1 }));
          }
        },
        onError: (error) => {
          setOutcome({ kind: "failure", message: describeFailure(action, error) });
        },
      },
    );
  };

  let body;
  if (logs.isPending) {
    body = <LoadingState label="Loading the error log…" />;
  } else if (logs.isError && !logs.data) {
    const pageGone = logs.error instanceof ApiError && logs.error.status === 404 && (filters.page ?? 1) > 1;
    body = pageGone ? (
      <ErrorState
        title="This page of the error log does not exist"
        message="The list is shorter than it was when this link was made."
        onRetry={() => {
          applyFilters({ ...filters, page: 1 });
        }}
      />
    ) : (
      <ErrorState title="Could not load the error log" message={logs.error.message} onRetry={() => void logs.refetch()} />
    );
  } else if (logs.data.count === 0) {
    body = isFiltered(filters) ? (
      <EmptyState title="No errors match these filters.">
        <button
          type="button"
          className="button button--secondary"
          onClick={() => {
            applyFilters({});
          }}
        >
          Clear filters
        </button>
      </EmptyState>
    ) : (
      <EmptyState title="No errors have been logged.">
        <p className="muted">Every error and critical error logged by the web server, worker and beat appears here.</p>
      </EmptyState>
    );
  } else {
    body = (
      <>
        {logs.isError && (
          <p className="notice notice--warning" role="alert">
            The last refresh failed ({logs.error.message}). Showing the previous list.
          </p>
        )}
        <ErrorBulkActions
          selectedCount={selected.size}
          pending={bulk.isPending ? bulk.variables.action : null}
          onAction={runBulk}
        />
        <ErrorLogTable
          entries={logs.data.results}
          selected={selected}
          onSelectionChange={(ids) => {
            setSelection({ view: listSearch, ids });
          }}
          listSearch={listSearch}
          busy={logs.isPlaceholderData}
        />
        <Pagination
          page={filters.page ?? 1}
          pageSize={filters.page_size ?? DEFAULT_ERROR_PAGE_SIZE}
          count={logs.data.count}
          shown={logs.data.results.length}
          noun="error group"
          onPageChange={(page) => {
            setOutcome(null);
            setSearchParams(errorFiltersToParams({ ...filters, page }));
          }}
        />
      </>
    );
  }

  return (
    <>
      <div className="page-header">
        <h1>Error logs</h1>
        <p className="muted">
          Errors logged anywhere in the system, grouped by where they come from, with how often and when they
          happened.
        </p>
      </div>
      <div className="page-sections">
        <ErrorFiltersForm key={listSearch} filters={filters} onApply={applyFilters} />
        <section className="panel" aria-labelledby="error-list-heading" aria-busy={logs.isFetching}>
          <div className="panel__header">
            <h2 id="error-list-heading" className="panel__title">
              {logs.data ? plural(logs.data.count, "error group") : "Error groups"}
            </h2>
            <ListControls filters={filters} onChange={applyFilters} />
          </div>
          {/* Outcomes of actions: always present, so that a change in it is announced. */}
          <div role="status" className="outcome">
            {outcome?.kind === "success" && <p className="notice notice--success">{outcome.message}</p>}
            {!outcome && handedOver && <p className="notice notice--success">{handedOver}</p>}
          </div>
          {outcome?.kind === "failure" && (
            <p className="notice notice--error" role="alert">
              {outcome.message}
            </p>
          )}
          {body}
        </section>
      </div>
    </>
  );
}
