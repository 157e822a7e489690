import { useId, useState } from "react";
import { Link } from "react-router";
import { alertFiltersToParams } from "../../api/alertFilters";
import { useOpenAlerts } from "../../hooks/useAlertingState";
import { PERMISSIONS, useCan } from "../../hooks/auth/permissions";
import { useOverview } from "../../hooks/monitoring/useMonitoring";
import { useNow } from "../../hooks/useNow";
import { formatMaybe, formatThreshold, unitOf } from "../../lib/alerting";
import { formatDateTime } from "../../lib/format";
import { plural } from "../../lib/text";
import { alertDetailPath, paths } from "../../routes/paths";
import type { AlertItem } from "../../types/alerts";
import { AcknowledgedBadge, FlappingBadge, SeverityBadge } from "../ui/Badges";
import { LabelChips, labelsText } from "../ui/LabelChips";
import { acknowledgedPhrase } from "../../lib/acknowledger";
import { EmptyState } from "../ui/EmptyState";
import { LoadingState } from "../ui/LoadingState";
import { NotPermitted, QueryError } from "../ui/QueryError";
import { OVERVIEW_MINUTES } from "./StatusOverview";
import { formatAge } from "./UpdatedAgo";

/** Who has an open alert, or that nobody has taken it on yet. */
function acknowledgedText(alert: AlertItem): string {
  if (!alert.acknowledged_at) return "not acknowledged";
  return `acknowledged ${acknowledgedPhrase(alert)}`;
}

function OpenAlert({ alert, unit, now }: { alert: AlertItem; unit: string; now: number }) {
  const triggered = Date.parse(alert.triggered_at);
  return (
    <li className={`open-alert open-alert--${alert.severity}`}>
      <div className="open-alert__head">
        <SeverityBadge severity={alert.severity} />
        <Link to={alertDetailPath(alert.id)} className="open-alert__title">
          {alert.rule_name || `Alert #${alert.id}`}
        </Link>
        {alert.acknowledged_at && <AcknowledgedBadge />}
        {alert.flapping && <FlappingBadge />}
        {alert.manual && <span className="badge badge--open">Triggered by hand</span>}
      </div>
      <LabelChips labels={alert.group_labels} label={`Group of alert #${alert.id}`} />
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
        {alert.acknowledged_at ? (
          <>
            {" "}
            · <span className="open-alert__owner">{acknowledgedText(alert)}</span>{" "}
            <time dateTime={alert.acknowledged_at} title={formatDateTime(alert.acknowledged_at)}>
              {formatAge(now - Date.parse(alert.acknowledged_at))}
            </time>
          </>
        ) : (
          " · not acknowledged"
        )}
      </p>
    </li>
  );
}

/** The open alerts of one rule (a grouped rule has one per failing group), in the list's order. */
interface RuleAlerts {
  key: string;
  alerts: [AlertItem, ...AlertItem[]];
}

/** The alerts gathered by rule, each rule where its most severe alert stands. */
function byRule(alerts: readonly AlertItem[]): RuleAlerts[] {
  const groups = new Map<string, RuleAlerts>();
  for (const alert of alerts) {
    // A deleted rule's alerts have no rule id any more: its name still tells them apart.
    const key = alert.rule !== null ? `rule-${alert.rule}` : `name-${alert.rule_name}`;
    const group = groups.get(key);
    if (group) group.alerts.push(alert);
    else groups.set(key, { key, alerts: [alert] });
  }
  return [...groups.values()];
}

/** A rule with several open alerts: its name, how many, each one's group, and the alerts on demand. */
function RuleAlertGroup({ alerts, unit, now }: { alerts: RuleAlerts["alerts"]; unit: string; now: number }) {
  const [open, setOpen] = useState(false);
  const listId = useId();
  const [first] = alerts;
  const name = first.rule_name || `Alert #${first.id}`;
  const ruleAlerts =
    first.rule !== null ? `${paths.alerts}?${alertFiltersToParams({ status: "active", rule: first.rule }).toString()}` : null;
  return (
    <li className={`open-alert open-alert--${first.severity} open-alert--group`}>
      <div className="open-alert__head">
        <SeverityBadge severity={first.severity} />
        {ruleAlerts ? (
          <Link to={ruleAlerts} className="open-alert__title">
            {name}
          </Link>
        ) : (
          <span className="open-alert__title">{name}</span>
        )}
        <span className="badge badge--open">{plural(alerts.length, "open alert")}</span>
        {alerts.some((alert) => alert.flapping) && <FlappingBadge />}
      </div>
      <p className="open-alert__why">
        <code>{first.metric_name}</code>, threshold {formatThreshold(first.condition, first.threshold_value, unit)}
      </p>
      <ul className="label-chips" aria-label={`Groups of ${name} open`}>
        {alerts.map((alert) => (
          <li key={alert.id} className="label-chip">
            {labelsText(alert.group_labels) || `#${alert.id}`}
          </li>
        ))}
      </ul>
      <button
        type="button"
        className="button button--secondary button--small open-alert__toggle"
        aria-expanded={open}
        aria-controls={listId}
        onClick={() => {
          setOpen(!open);
        }}
      >
        {open ? "Hide the alerts" : `Show the ${alerts.length} alerts`}
      </button>
      <ul id={listId} className="open-alert__members" hidden={!open} aria-label={`Open alerts of ${name}`}>
        {open &&
          alerts.map((alert) => (
            <li key={alert.id}>
              <Link to={alertDetailPath(alert.id)}>
                #{alert.id} {labelsText(alert.group_labels)}
              </Link>{" "}
              <span className="muted">
                {alert.manual && alert.value === null ? "triggered by hand" : formatMaybe(alert.last_value ?? alert.value, unit)} ·{" "}
                <time dateTime={alert.triggered_at} title={formatDateTime(alert.triggered_at)}>
                  {formatAge(now - Date.parse(alert.triggered_at))}
                </time>{" "}
                · {acknowledgedText(alert)}
              </span>
            </li>
          ))}
      </ul>
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
        {byRule(results).map(({ key, alerts: ruleAlerts }) => {
          const unit = unitOf(overview.data?.metrics, ruleAlerts[0].metric_name);
          return ruleAlerts.length === 1 ? (
            <OpenAlert key={key} alert={ruleAlerts[0]} unit={unit} now={now} />
          ) : (
            <RuleAlertGroup key={key} alerts={ruleAlerts} unit={unit} now={now} />
          );
        })}
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
