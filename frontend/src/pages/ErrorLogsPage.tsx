import { useState } from "react";
import { useLocation } from "react-router";
import {
  describeFailure,
  describeOutcome,
  ErrorBulkActions,
  type BulkOutcome,
} from "../components/monitoring/ErrorBulkActions";
import { errorList } from "../api/errorFilters";
import { ErrorFiltersForm } from "../components/monitoring/ErrorFiltersForm";
import { ErrorLogTable } from "../components/monitoring/ErrorLogTable";
import { EmptyState } from "../components/ui/EmptyState";
import { ListPanel } from "../components/ui/ListPanel";
import { PagedList } from "../components/ui/PagedList";
import { useBulkErrorAction, useErrorLogs } from "../hooks/monitoring/useMonitoring";
import { useListPage } from "../hooks/useListPage";
import { usePageTitle } from "../hooks/usePageTitle";
import { noticeFrom } from "../lib/listPages";
import { plural } from "../lib/text";
import type { ErrorBulkAction } from "../types/monitoring";

/** The error log: search, filters, order and page in the address, bulk actions on a selection. */
export function ErrorLogsPage() {
  usePageTitle("Error logs");
  const location = useLocation();
  const [outcome, setOutcome] = useState<BulkOutcome | null>(null);
  const list = useListPage(errorList, () => {
    setOutcome(null);
  });
  const { filters, search: listSearch } = list;
  const logs = useErrorLogs(filters);
  const bulk = useBulkErrorAction();
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
            list.show({ ...filters, page: page - 1 });
          }
        },
        onError: (error) => {
          setOutcome({ kind: "failure", message: describeFailure(action, error) });
        },
      },
    );
  };

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
        <ErrorFiltersForm key={listSearch} filters={filters} onApply={list.apply} />
        <ListPanel
          headingId="error-list-heading"
          title={logs.data ? plural(logs.data.count, "error group") : "Error groups"}
          busy={logs.isFetching}
          controls={list.controls}
        >
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
          <PagedList
            query={logs}
            what="the error log"
            noun="error group"
            {...list.paging}
            noMatchTitle="No errors match these filters."
            empty={
              <EmptyState title="No errors have been logged.">
                <p className="muted">Every error and critical error logged by the web server, worker and beat appears here.</p>
              </EmptyState>
            }
          >
            {(entries, busy) => (
              <>
                <ErrorBulkActions
                  selectedCount={selected.size}
                  pending={bulk.isPending ? bulk.variables.action : null}
                  onAction={runBulk}
                />
                <ErrorLogTable
                  entries={entries}
                  selected={selected}
                  onSelectionChange={(ids) => {
                    setSelection({ view: listSearch, ids });
                  }}
                  listSearch={listSearch}
                  busy={busy}
                />
              </>
            )}
          </PagedList>
        </ListPanel>
      </div>
    </>
  );
}
