import { useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { ApiError } from "../api/client";
import { AlertFiltersForm } from "../components/alerts/AlertFiltersForm";
import { AlertTable } from "../components/alerts/AlertTable";
import { TriggerAlertDialog } from "../components/alerts/TriggerAlertDialog";
import { EmptyState } from "../components/ui/EmptyState";
import { ErrorState } from "../components/ui/ErrorState";
import { ListControls } from "../components/ui/ListControls";
import { LoadingState } from "../components/ui/LoadingState";
import { Pagination } from "../components/ui/Pagination";
import { QueryError } from "../components/ui/QueryError";
import { useAlerts } from "../hooks/alerts/useAlerts";
import { useMetricCatalogue, useRules } from "../hooks/alerts/useRules";
import { PERMISSIONS, useCan } from "../hooks/auth/permissions";
import { usePageTitle } from "../hooks/usePageTitle";
import {
  ALERT_PAGE_SIZES,
  alertFiltersToParams,
  DEFAULT_ALERT_PAGE_SIZE,
  isAlertListFiltered,
  parseAlertFilters,
} from "../lib/alertFilters";
import { plural } from "../lib/text";
import { alertDetailPath } from "../routes/paths";
import type { AlertDetail, AlertFilters, AlertOrdering } from "../types/alerts";

const ORDERINGS: readonly { value: AlertOrdering; label: string }[] = [
  { value: "-triggered_at", label: "Newest first" },
  { value: "triggered_at", label: "Oldest first" },
  { value: "severity,-triggered_at", label: "Most severe first" },
  { value: "-resolved_at", label: "Recently resolved" },
];

const RULE_CHOICES = { ordering: "name", page_size: 200 } as const;

function withoutPage(filters: AlertFilters): AlertFilters {
  const next = { ...filters };
  delete next.page;
  return next;
}

/** The alert history: open and resolved alerts, filtered, sorted and paged in the address. */
export function AlertsPage() {
  usePageTitle("Alerts");
  const can = useCan();
  const [searchParams, setSearchParams] = useSearchParams();
  const filters = useMemo(() => parseAlertFilters(searchParams), [searchParams]);
  const listSearch = alertFiltersToParams(filters).toString();
  const alerts = useAlerts(filters);
  const rules = useRules(RULE_CHOICES, { enabled: can(PERMISSIONS.viewRules) });
  const catalogue = useMetricCatalogue({ enabled: can(PERMISSIONS.viewRules) });
  const [triggering, setTriggering] = useState(false);
  const [triggered, setTriggered] = useState<AlertDetail | null>(null);

  const apply = (next: AlertFilters) => {
    setTriggered(null);
    setSearchParams(alertFiltersToParams(next));
  };

  let body;
  if (alerts.isPending) {
    body = <LoadingState label="Loading the alert history…" />;
  } else if (alerts.isError && !alerts.data) {
    const pageGone = alerts.error instanceof ApiError && alerts.error.status === 404 && (filters.page ?? 1) > 1;
    body = pageGone ? (
      <ErrorState
        title="This page of the alert history does not exist"
        message="The list is shorter than it was when this link was made."
        onRetry={() => {
          apply(withoutPage(filters));
        }}
      />
    ) : (
      <QueryError error={alerts.error} what="the alert history" onRetry={() => void alerts.refetch()} />
    );
  } else if (alerts.data.count === 0) {
    body = isAlertListFiltered(filters) ? (
      <EmptyState title="No alerts match these filters.">
        <button
          type="button"
          className="button button--secondary"
          onClick={() => {
            apply({});
          }}
        >
          Clear filters
        </button>
      </EmptyState>
    ) : (
      <EmptyState title="No alert has fired yet.">
        <p className="muted">Alerts appear here when a rule's condition holds, and stay after they are resolved.</p>
      </EmptyState>
    );
  } else {
    body = (
      <>
        {alerts.isError && (
          <p className="notice notice--warning" role="alert">
            The last refresh failed ({alerts.error.message}). Showing the previous list.
          </p>
        )}
        <AlertTable
          alerts={alerts.data.results}
          metrics={catalogue.data?.metrics}
          listSearch={listSearch}
          busy={alerts.isPlaceholderData}
        />
        <Pagination
          page={filters.page ?? 1}
          pageSize={filters.page_size ?? DEFAULT_ALERT_PAGE_SIZE}
          count={alerts.data.count}
          shown={alerts.data.results.length}
          noun="alert"
          onPageChange={(page) => {
            apply({ ...filters, page });
          }}
        />
      </>
    );
  }

  return (
    <>
      <div className="page-header page-header--split">
        <div className="page-header__text">
          <h1>Alerts</h1>
          <p className="muted">Every alert the rules have raised, open and resolved, with how each one ended.</p>
        </div>
        {can(PERMISSIONS.changeRules) && (
          <button
            type="button"
            className="button button--secondary"
            onClick={() => {
              setTriggered(null);
              setTriggering(true);
            }}
          >
            Trigger an alert…
          </button>
        )}
      </div>
      <div className="page-sections">
        <AlertFiltersForm key={listSearch} filters={filters} rules={rules.data?.results ?? []} onApply={apply} />
        <section className="panel" aria-labelledby="alert-list-heading" aria-busy={alerts.isFetching}>
          <div className="panel__header">
            <h2 id="alert-list-heading" className="panel__title">
              {alerts.data ? plural(alerts.data.count, "alert") : "Alerts"}
            </h2>
            <ListControls
              ordering={filters.ordering ?? "-triggered_at"}
              orderings={ORDERINGS}
              onOrderingChange={(ordering) => {
                apply({ ...withoutPage(filters), ordering });
              }}
              pageSize={filters.page_size ?? DEFAULT_ALERT_PAGE_SIZE}
              pageSizes={ALERT_PAGE_SIZES}
              onPageSizeChange={(size) => {
                apply({ ...withoutPage(filters), page_size: size });
              }}
            />
          </div>
          <div role="status" className="outcome">
            {triggered && (
              <p className="notice notice--success">
                Alert #{triggered.id} opened for “{triggered.rule_name}”.{" "}
                <Link to={alertDetailPath(triggered.id)}>Open it</Link>
              </p>
            )}
          </div>
          {body}
        </section>
      </div>
      {triggering && (
        <TriggerAlertDialog
          onCancel={() => {
            setTriggering(false);
          }}
          onTriggered={(alert) => {
            setTriggering(false);
            setTriggered(alert);
          }}
        />
      )}
    </>
  );
}
