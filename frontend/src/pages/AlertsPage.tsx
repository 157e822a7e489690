import { useState } from "react";
import { Link } from "react-router";
import { alertList } from "../api/alertFilters";
import { AlertFiltersForm } from "../components/alerts/AlertFiltersForm";
import { AlertTable } from "../components/alerts/AlertTable";
import { TriggerAlertDialog } from "../components/alerts/TriggerAlertDialog";
import { EmptyState } from "../components/ui/EmptyState";
import { ListPanel } from "../components/ui/ListPanel";
import { PagedList } from "../components/ui/PagedList";
import { useAlerts } from "../hooks/alerts/useAlerts";
import { useMetricCatalogue, useRules } from "../hooks/alerts/useRules";
import { PERMISSIONS, useCan } from "../hooks/auth/permissions";
import { useListPage } from "../hooks/useListPage";
import { usePageTitle } from "../hooks/usePageTitle";
import { plural } from "../lib/text";
import { alertDetailPath } from "../routes/paths";
import type { AlertDetail } from "../types/alerts";

const RULE_CHOICES = { ordering: "name", page_size: 200 } as const;

/** The alert history: open and resolved alerts, filtered, sorted and paged in the address. */
export function AlertsPage() {
  usePageTitle("Alerts");
  const can = useCan();
  const [triggering, setTriggering] = useState(false);
  const [triggered, setTriggered] = useState<AlertDetail | null>(null);
  const list = useListPage(alertList, () => {
    setTriggered(null);
  });
  const alerts = useAlerts(list.filters);
  const rules = useRules(RULE_CHOICES, { enabled: can(PERMISSIONS.viewRules) });
  const catalogue = useMetricCatalogue({ enabled: can(PERMISSIONS.viewRules) });

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
        <AlertFiltersForm key={list.search} filters={list.filters} rules={rules.data?.results ?? []} onApply={list.apply} />
        <ListPanel
          headingId="alert-list-heading"
          title={alerts.data ? plural(alerts.data.count, "alert") : "Alerts"}
          busy={alerts.isFetching}
          controls={list.controls}
        >
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
            {...list.paging}
            noMatchTitle="No alerts match these filters."
            empty={
              <EmptyState title="No alert has fired yet.">
                <p className="muted">Alerts appear here when a rule's condition holds, and stay after they are resolved.</p>
              </EmptyState>
            }
          >
            {(results, busy) => (
              <AlertTable alerts={results} metrics={catalogue.data?.metrics} listSearch={list.search} busy={busy} />
            )}
          </PagedList>
        </ListPanel>
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
