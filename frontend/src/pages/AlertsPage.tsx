import { useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { AlertFiltersForm } from "../components/alerts/AlertFiltersForm";
import { AlertTable } from "../components/alerts/AlertTable";
import { TriggerAlertDialog } from "../components/alerts/TriggerAlertDialog";
import { EmptyState } from "../components/ui/EmptyState";
import { ListControls } from "../components/ui/ListControls";
import { PagedList } from "../components/ui/PagedList";
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
import { withoutPage } from "../lib/listPages";
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
          <PagedList
            query={alerts}
            what="the alert history"
            noun="alert"
            page={filters.page ?? 1}
            pageSize={filters.page_size ?? DEFAULT_ALERT_PAGE_SIZE}
            filtered={isAlertListFiltered(filters)}
            noMatchTitle="No alerts match these filters."
            empty={
              <EmptyState title="No alert has fired yet.">
                <p className="muted">Alerts appear here when a rule's condition holds, and stay after they are resolved.</p>
              </EmptyState>
            }
            onPageChange={(page) => {
              apply({ ...filters, page });
            }}
            onFirstPage={() => {
              apply(withoutPage(filters));
            }}
            onClearFilters={() => {
              apply({});
            }}
          >
            {(results, busy) => (
              <AlertTable alerts={results} metrics={catalogue.data?.metrics} listSearch={listSearch} busy={busy} />
            )}
          </PagedList>
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
