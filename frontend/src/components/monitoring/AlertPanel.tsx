import { Link } from "react-router";
import { useOpenAlerts } from "../../hooks/useAlertingState";
import { PERMISSIONS, useCan } from "../../hooks/auth/permissions";
import { useOverview } from "../../hooks/monitoring/useMonitoring";
import { useNow } from "../../hooks/useNow";
import { formatMaybe, formatThreshold, unitOf } from "../../lib/alerting";
import { formatDateTime } from "../../lib/format";
import { plural } from "../../lib/text";
import { alertDetailPath, paths } from "../../routes/paths";
import type { AlertItem } from "../../types/alerts";
import { SeverityBadge } from "../ui/Badges";
import { EmptyState } from "../ui/EmptyState";
import { LoadingState } from "../ui/LoadingState";
import { NotPermitted, QueryError } from "../ui/QueryError";
import { OVERVIEW_MINUTES } from "./StatusOverview";
import { formatAge } from "./UpdatedAgo";

function OpenAlert({ alert, unit, now }: { alert: AlertItem; unit: string; now: number }) {
  const triggered = Date.parse(alert.triggered_at);
  return (
    <li className={`open-alert open-alert--${alert.severity}`}>
      <div className="open-alert__head">
        <SeverityBadge severity={alert.severity} />
        <Link to={alertDetailPath(alert.id)} className="open-alert__title">
          {alert.rule_name || `Alert #${alert.id}`}
        </Link>
        {alert.manual && <span className="badge badge--open">Triggered by hand</span>}
      </div>
      <p className="open-alert__why">
        <code>{alert.metric_name}</code>{" "}
        {alert.manual && alert.value === null ? (
          <>threshold {formatThreshold(alert.condition, alert.threshold_value, unit)}</>
        ) : (
          <>
            is <strong>{formatMaybe(alert.last_value ?? alert.value, unit)}</strong>, threshold{" "}
            {formatThreshold(alert.condition, alert.threshold_value, unit)}
          </>
        )}
      </p>
      {/* The engine's message repeats the line above; a person's says why they fired it. */}
      {alert.manual && alert.message && <p className="open-alert__message">{alert.message}</p>}
      <p className="open-alert__meta muted">
        Opened{" "}
        <time dateTime={alert.triggered_at} title={formatDateTime(alert.triggered_at)}>
          {formatAge(now - triggered)}
        </time>
      </p>
    </li>
  );
}

function OpenAlertList() {
  const alerts = useOpenAlerts();
  const overview = useOverview(OVERVIEW_MINUTES);
  const now = useNow(15_000);

  if (alerts.isPending) return <LoadingState label="Loading the open alerts…" />;
  if (alerts.isError && !alerts.data) {
    return <QueryError error={alerts.error} what="the open alerts" onRetry={() => void alerts.refetch()} />;
  }
  const { count, results } = alerts.data;
  if (count === 0) {
    return <EmptyState title="No open alerts." />;
  }
  return (
    <>
      {alerts.isError && (
        <p className="notice notice--warning" role="alert">
          The last refresh failed ({alerts.error.message}). Showing the previous alerts.
        </p>
      )}
      <ul className="open-alerts">
        {results.map((alert) => (
          <OpenAlert key={alert.id} alert={alert} unit={unitOf(overview.data?.metrics, alert.metric_name)} now={now} />
        ))}
      </ul>
      {count > results.length && (
        <p className="muted">
          Showing the {results.length} most severe of {plural(count, "open alert")}.
        </p>
      )}
    </>
  );
}

/**
 * The open alerts, most severe and then newest first (`GET /api/alerts/history/?status=active`),
 * refreshed with the rest of the dashboard. It heads the page: they are what needs attention.
 */
export function AlertPanel() {
  const can = useCan();
  const allowed = can(PERMISSIONS.viewAlerts);
  const alerts = useOpenAlerts({ enabled: allowed });
  return (
    <section className="panel alert-panel" aria-labelledby="open-alerts-heading" aria-busy={alerts.isFetching}>
      <div className="panel__header">
        <h2 id="open-alerts-heading" className="panel__title">
          Open alerts
          {alerts.data && alerts.data.count > 0 && <span className="count-pill">{alerts.data.count}</span>}
        </h2>
        {allowed && (
          <Link to={`${paths.alerts}?status=active`} className="panel__link">
            All open alerts
          </Link>
        )}
      </div>
      {allowed ? <OpenAlertList /> : <NotPermitted what="alerts" />}
    </section>
  );
}
