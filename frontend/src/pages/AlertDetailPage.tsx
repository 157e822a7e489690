import { useState, type ReactNode } from "react";
import { Link, useLocation, useParams } from "react-router";
import { AcknowledgeDialog } from "../components/alerts/AcknowledgeDialog";
import { AlertTimeline } from "../components/alerts/AlertTimeline";
import { acknowledgedPhrase } from "../lib/acknowledger";
import { readAlertContext } from "../components/alerts/alertContext";
import { DeliveryTable } from "../components/alerts/DeliveryTable";
import { PointsChart } from "../components/alerts/PointsChart";
import { ResolveDialog } from "../components/alerts/ResolveDialog";
import { CONDITION_WORDS } from "../components/alerts/ruleText";
import { SilenceFormDialog, type SilenceDraft } from "../components/silences/SilenceFormDialog";
import { matchersFromAlert, tomorrowAtNine } from "../components/silences/silenceText";
import { AcknowledgedBadge, AlertStatusBadge, FlappingBadge, InhibitedBadge, SeverityBadge, SilencedBadge } from "../components/ui/Badges";
import { LabelChips } from "../components/ui/LabelChips";
import { RunbookLink } from "../components/ui/RunbookLink";
import { ErrorState } from "../components/ui/ErrorState";
import { LoadingState } from "../components/ui/LoadingState";
import { QueryError } from "../components/ui/QueryError";
import { useAlert, useUnacknowledgeAlert } from "../hooks/alerts/useAlerts";
import { useMetricCatalogue } from "../hooks/alerts/useRules";
import { PERMISSIONS, useCan } from "../hooks/auth/permissions";
import { usePageTitle } from "../hooks/usePageTitle";
import { formatMaybe, formatThreshold, unitOf } from "../lib/alerting";
import { formatDateTime, formatValue } from "../lib/format";
import { alertDetailPath, idParam, paths, ruleDetailPath } from "../routes/paths";
import type { AlertDetail } from "../types/alerts";

function listSearchFrom(state: unknown): string {
  if (typeof state === "object" && state !== null && "listSearch" in state && typeof state.listSearch === "string") {
    return state.listSearch;
  }
  return "";
}

function Fact({ term, children, wide = false }: { term: string; children: ReactNode; wide?: boolean }) {
  return (
    <div className={wide ? "facts__wide" : undefined}>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Time({ iso }: { iso: string }) {
  return <time dateTime={iso}>{formatDateTime(iso)}</time>;
}

/** The group that fired, the alert's labels (the rule's and the group's), and the runbook. */
function Annotations({ alert }: { alert: AlertDetail }) {
  const hasGroup = Object.keys(alert.group_labels).length > 0;
  const hasLabels = Object.keys(alert.labels).length > 0;
  if (!hasGroup && !hasLabels && !alert.runbook_url) return null;
  return (
    <dl className="facts facts--grid alert-annotations">
      {hasGroup && (
        <Fact term="Group">
          <LabelChips labels={alert.group_labels} label="The group that fired" />
        </Fact>
      )}
      {hasLabels && (
        <Fact term="Labels">
          <LabelChips labels={alert.labels} label="Labels" />
        </Fact>
      )}
      {alert.runbook_url && (
        <Fact term="Runbook" wide>
          <RunbookLink url={alert.runbook_url} />
        </Fact>
      )}
    </dl>
  );
}

/** Why it fired: the value against the threshold, the window and aggregation, and the points. */
function WhyItFired({ alert, unit }: { alert: AlertDetail; unit: string }) {
  const context = readAlertContext(alert.context);
  const threshold = formatThreshold(alert.condition, alert.threshold_value, unit);
  const window = context.windowMinutes !== null ? `${context.windowMinutes} min` : "not recorded";
  return (
    <section className="panel" aria-labelledby="why-heading">
      <h2 id="why-heading">Why it fired</h2>
      {alert.manual ? (
        <p className="why-sentence">
          Triggered by hand{context.triggeredBy ? ` by ${context.triggeredBy}` : ""}, not by a measurement. The rule
          watches <code>{alert.metric_name}</code> for values {CONDITION_WORDS[alert.condition]}{" "}
          {formatValue(alert.threshold_value, unit)}.
        </p>
      ) : context.query !== null ? (
        <p className="why-sentence">
          The query <code>{context.query}</code> gave <strong>{formatMaybe(alert.value, unit)}</strong> for this series,{" "}
          {CONDITION_WORDS[alert.condition]} the threshold of <strong>{formatValue(alert.threshold_value, unit)}</strong>.
        </p>
      ) : (
        <p className="why-sentence">
          <code>{alert.metric_name}</code> ({context.aggregation ?? "value"} over {window}) was{" "}
          <strong>{formatMaybe(alert.value, unit)}</strong>, {CONDITION_WORDS[alert.condition]} the threshold of{" "}
          <strong>{formatValue(alert.threshold_value, unit)}</strong>.
        </p>
      )}
      <dl className="facts facts--grid">
        <Fact term="Value when it fired">{alert.manual && alert.value === null ? "—" : formatMaybe(alert.value, unit)}</Fact>
        <Fact term="Threshold">{threshold}</Fact>
        <Fact term="Latest value">{formatMaybe(alert.last_value, unit)}</Fact>
        <Fact term="Window">{window}</Fact>
        <Fact term="Aggregation">{context.aggregation ?? "not recorded"}</Fact>
        {context.resolveThreshold !== null && (
          <Fact term="Resolves past">{formatValue(context.resolveThreshold, unit)}</Fact>
        )}
        {context.windowStart && context.windowEnd && (
          <Fact term="Evaluated window" wide>
            <Time iso={context.windowStart} /> – <Time iso={context.windowEnd} />
          </Fact>
        )}
      </dl>
      {!alert.manual && (
        <PointsChart
          title={
            context.query !== null
              ? "The series over the hour before it fired, against the threshold"
              : `${alert.metric_name}: the values in the window, against the threshold`
          }
          points={context.points}
          unit={unit}
          threshold={alert.threshold_value}
          resolveThreshold={context.resolveThreshold}
        />
      )}
    </section>
  );
}

function Resolution({ alert }: { alert: AlertDetail }) {
  if (alert.status === "active" || !alert.resolved_at) return null;
  return (
    <section className="panel" aria-labelledby="resolution-heading">
      <h2 id="resolution-heading">Resolution</h2>
      <dl className="facts facts--grid">
        <Fact term="Resolved">
          <Time iso={alert.resolved_at} />
        </Fact>
        <Fact term="By">{alert.resolved_by ?? "the system"}</Fact>
      </dl>
      <div>
        <h3 className="facts__term">Notes</h3>
        {alert.notes ? <p className="notes">{alert.notes}</p> : <p className="muted">No notes.</p>}
      </div>
    </section>
  );
}

/**
 * Who has the alert, since when, and what they said; with "Unacknowledge" for someone who may
 * change alerts while it is open. A resolved alert keeps the record of who had it.
 */
function Acknowledgement({
  alert,
  canChange,
  onUnacknowledged,
}: {
  alert: AlertDetail;
  canChange: boolean;
  onUnacknowledged: (alert: AlertDetail) => void;
}) {
  const unacknowledge = useUnacknowledgeAlert(alert.id);
  if (!alert.acknowledged_at) return null;
  const open = alert.status === "active";
  return (
    <section className="acknowledgement" aria-label="Acknowledgement">
      <p className="acknowledgement__text">
        <strong>Acknowledged {acknowledgedPhrase(alert)}</strong>,{" "}
        <Time iso={alert.acknowledged_at} />
        {alert.acknowledged_comment ? (
          <>
            : <span className="acknowledgement__comment">{alert.acknowledged_comment}</span>
          </>
        ) : (
          "."
        )}
      </p>
      {open && canChange && (
        <button
          type="button"
          className="button button--secondary button--small"
          disabled={unacknowledge.isPending}
          onClick={() => {
            unacknowledge.mutate(undefined, { onSuccess: onUnacknowledged });
          }}
        >
          {unacknowledge.isPending ? "Giving it back…" : "Unacknowledge"}
        </button>
      )}
      {unacknowledge.error && (
        <p className="notice notice--error acknowledgement__error" role="alert">
          {unacknowledge.error.status === 409
            ? `Already resolved: ${unacknowledge.error.message}`
            : `Could not unacknowledge the alert: ${unacknowledge.error.message}`}
        </p>
      )}
    </section>
  );
}

/** What holds the open alert's notifications now: silences, maintenance windows, other alerts. */
function HeldBy({ alert }: { alert: AlertDetail }) {
  const { silences, maintenance_windows: windows } = alert.silenced_by;
  const inhibitors = alert.inhibited_by;
  if (alert.status !== "active" || silences.length + windows.length + inhibitors.length === 0) return null;
  return (
    <section className="held-by" aria-label="Held back">
      {silences.length > 0 && (
        <p>
          <SilencedBadge /> by{" "}
          <Link to={`${paths.silences}?state=all`}>{silences.map((id) => `silence #${id}`).join(", ")}</Link>: nobody is
          notified while it lasts.
        </p>
      )}
      {windows.length > 0 && (
        <p>
          <SilencedBadge /> by{" "}
          <Link to={paths.maintenanceWindows}>{windows.map((id) => `maintenance window #${id}`).join(", ")}</Link>.
        </p>
      )}
      {inhibitors.length > 0 && (
        <p>
          <InhibitedBadge /> by{" "}
          {inhibitors.map((id, index) => (
            <span key={id}>
              {index > 0 && ", "}
              <Link to={alertDetailPath(id)}>alert #{id}</Link>
            </span>
          ))}
          .
        </p>
      )}
    </section>
  );
}

interface AlertActions {
  /** Opens the resolve dialog; null when the alert is resolved or the user may not change alerts. */
  onResolve: (() => void) | null;
  /** Opens the acknowledge dialog; null when it is acknowledged or resolved, or the user may not. */
  onAcknowledge: (() => void) | null;
  /** Opens the silence form for this alert, ending at the time given; null when it is resolved or
   * the user may not add silences. */
  onSilence: ((endsAt: Date) => void) | null;
  /** Whether the user may change alerts (give an acknowledged one back). */
  canChange: boolean;
  onUnacknowledged: (alert: AlertDetail) => void;
}

function AlertBody({ alert, unit, actions }: { alert: AlertDetail; unit: string; actions: AlertActions }) {
  const can = useCan();
  const { onResolve, onAcknowledge, onSilence } = actions;
  return (
    <>
      <div className="alert-summary">
        <SeverityBadge severity={alert.severity} />
        <AlertStatusBadge status={alert.status} />
        {alert.status === "active" && alert.acknowledged_at && <AcknowledgedBadge />}
        {alert.flapping && <FlappingBadge />}
        {alert.manual && <span className="badge badge--open">Triggered by hand</span>}
        <span className="muted">
          Triggered <Time iso={alert.triggered_at} />
        </span>
      </div>
      <Acknowledgement alert={alert} canChange={actions.canChange} onUnacknowledged={actions.onUnacknowledged} />
      <HeldBy alert={alert} />
      {alert.summary && <p className="alert-summary-text">{alert.summary}</p>}
      {alert.message && <p className="error-message alert-message">{alert.message}</p>}
      <Annotations alert={alert} />
      <div className="panel__actions" role="group" aria-label="Actions on this alert">
        {onAcknowledge && (
          <button type="button" className="button button--primary" onClick={onAcknowledge}>
            Acknowledge…
          </button>
        )}
        {onResolve && (
          <button type="button" className={`button ${onAcknowledge ? "button--secondary" : "button--primary"}`} onClick={onResolve}>
            Resolve…
          </button>
        )}
        {alert.rule !== null && can(PERMISSIONS.viewRules) && (
          <Link to={ruleDetailPath(alert.rule)} className="button button--secondary">
            Rule: {alert.rule_name}
          </Link>
        )}
        {alert.rule === null && <span className="muted">The rule “{alert.rule_name}” has been deleted.</span>}
        {alert.rule_version !== null &&
          (alert.rule !== null && can(PERMISSIONS.viewRules) ? (
            <Link to={`${ruleDetailPath(alert.rule)}#versions`}>Fired under version {alert.rule_version}</Link>
          ) : (
            <span className="muted">Fired under version {alert.rule_version}</span>
          ))}
      </div>
      {onSilence && (
        <div className="panel__actions silence-this" role="group" aria-label="Silence this alert">
          <span className="silence-this__label">Silence this alert:</span>
          <button
            type="button"
            className="button button--secondary button--small"
            onClick={() => {
              onSilence(new Date(Date.now() + 3_600_000));
            }}
          >
            1 h
          </button>
          <button
            type="button"
            className="button button--secondary button--small"
            onClick={() => {
              onSilence(new Date(Date.now() + 4 * 3_600_000));
            }}
          >
            4 h
          </button>
          <button
            type="button"
            className="button button--secondary button--small"
            onClick={() => {
              onSilence(tomorrowAtNine());
            }}
          >
            Until tomorrow 09:00
          </button>
        </div>
      )}
      <WhyItFired alert={alert} unit={unit} />
      <Resolution alert={alert} />
      <AlertTimeline alertId={alert.id} />
      <section className="panel" aria-labelledby="deliveries-heading">
        <div className="panel__header">
          <h2 id="deliveries-heading" className="panel__title">
            Notifications
          </h2>
          <p className="muted">
            {alert.notification_count} delivered
            {alert.last_notified_at && (
              <>
                , last <Time iso={alert.last_notified_at} />
              </>
            )}
          </p>
        </div>
        <DeliveryTable deliveries={alert.deliveries} />
      </section>
    </>
  );
}

/** One alert: what fired and why, how it ended, and every notification sent about it. */
export function AlertDetailPage() {
  const { id: rawId } = useParams();
  const id = idParam(rawId);
  usePageTitle(id ? `Alert #${id}` : "Alert");
  const location = useLocation();
  const listSearch = listSearchFrom(location.state);
  const listPath = listSearch ? `${paths.alerts}?${listSearch}` : paths.alerts;
  const can = useCan();
  const alert = useAlert(id);
  const catalogue = useMetricCatalogue({ enabled: can(PERMISSIONS.viewRules) });
  const [resolving, setResolving] = useState(false);
  const [acknowledging, setAcknowledging] = useState(false);
  const [silencing, setSilencing] = useState<SilenceDraft | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);

  let body;
  if (!id) {
    body = <ErrorState title="There is no such alert" message={`"${rawId ?? ""}" is not an alert number.`} />;
  } else if (alert.isPending) {
    body = <LoadingState label="Loading the alert…" />;
  } else if (alert.isError) {
    body = <QueryError error={alert.error} what={`alert #${id}`} onRetry={() => void alert.refetch()} />;
  } else {
    const data = alert.data;
    // Acknowledging needs what resolving needs: the permission to change alert history.
    const canChange = can(PERMISSIONS.resolveAlerts);
    const open = data.status === "active";
    body = (
      <AlertBody
        alert={data}
        unit={unitOf(catalogue.data?.metrics, data.metric_name)}
        actions={{
          canChange,
          onSilence:
            open && can(PERMISSIONS.addSilences)
              ? (endsAt) => {
                  setOutcome(null);
                  setSilencing({ matchers: matchersFromAlert(data), endsAt: endsAt.toISOString(), fromAlert: data.id });
                }
              : null,
          onResolve:
            open && canChange
              ? () => {
                  setOutcome(null);
                  setResolving(true);
                }
              : null,
          onAcknowledge:
            open && canChange && !data.acknowledged_at
              ? () => {
                  setOutcome(null);
                  setAcknowledging(true);
                }
              : null,
          onUnacknowledged: (given) => {
            setOutcome(`Alert #${given.id} given back: nobody has it now, and its reminders resume.`);
          },
        }}
      />
    );
  }

  return (
    <>
      <div className="page-header">
        <p>
          <Link to={listPath}>
            <span aria-hidden="true">← </span>Alerts
          </Link>
        </p>
        <h1>
          {id ? `Alert #${id}` : "Alert"}
          {alert.data && <span className="h1__sub">{alert.data.rule_name}</span>}
        </h1>
      </div>
      <div role="status" className="outcome">
        {outcome && <p className="notice notice--success">{outcome}</p>}
      </div>
      <div className="page-sections">{body}</div>
      {acknowledging && (
        <AcknowledgeDialog
          alertId={id}
          onCancel={() => {
            setAcknowledging(false);
          }}
          onAcknowledged={(acknowledged) => {
            setAcknowledging(false);
            setOutcome(`Alert #${acknowledged.id} acknowledged: it is yours, and its reminders stop.`);
          }}
        />
      )}
      {silencing && (
        <SilenceFormDialog
          draft={silencing}
          onCancel={() => {
            setSilencing(null);
          }}
          onDone={(saved) => {
            setSilencing(null);
            setOutcome(`Silence #${saved.id} added, until ${formatDateTime(saved.ends_at)}: this alert and those it matches are not notified meanwhile.`);
          }}
        />
      )}
      {resolving && (
        <ResolveDialog
          alertId={id}
          onCancel={() => {
            setResolving(false);
          }}
          onResolved={(resolved) => {
            setResolving(false);
            setOutcome(`Alert #${resolved.id} resolved${resolved.notes ? " with your notes" : ""}.`);
          }}
        />
      )}
    </>
  );
}
