import { ALERT_STATUS_LABELS, RULE_STATE_LABELS, SEVERITY_LABELS } from "../../lib/alerting";
import type { AlertStatus, RuleState, Severity } from "../../types/alerts";

/** Severity in words and colour (the words carry it; the colour repeats it). */
export function SeverityBadge({ severity }: { severity: Severity }) {
  return <span className={`badge badge--severity-${severity}`}>{SEVERITY_LABELS[severity]}</span>;
}

export function AlertStatusBadge({ status }: { status: AlertStatus }) {
  return (
    <span className={`badge ${status === "active" ? "badge--firing" : "badge--resolved"}`}>
      {ALERT_STATUS_LABELS[status]}
    </span>
  );
}

/** An open alert someone has taken on: its reminders are stopped. */
export function AcknowledgedBadge() {
  return <span className="badge badge--acknowledged">Acknowledged</span>;
}

/** An open alert an active silence or maintenance window holds: nobody is notified meanwhile. */
export function SilencedBadge() {
  return <span className="badge badge--silenced">Silenced</span>;
}

/** An open alert another open alert inhibits (through an inhibition rule). */
export function InhibitedBadge() {
  return <span className="badge badge--inhibited">Inhibited</span>;
}

/** A rule or group opening and resolving over and over: its changes are not notified for a while. */
export function FlappingBadge() {
  return <span className="badge badge--flapping">Flapping</span>;
}

/**
 * The rule's state at its last evaluation. A rule the engine has not evaluated yet (just created)
 * starts "ok" in the database; it says so rather than claiming to be OK.
 */
export function RuleStateBadge({ state, evaluatedAt }: { state: RuleState; evaluatedAt: string | null }) {
  if (state === "ok" && evaluatedAt === null) {
    return <span className="badge badge--inactive">Not evaluated yet</span>;
  }
  return <span className={`badge badge--state-${state}`}>{RULE_STATE_LABELS[state]}</span>;
}

export function ActiveBadge({ active }: { active: boolean }) {
  return <span className={`badge ${active ? "badge--open" : "badge--inactive"}`}>{active ? "Active" : "Off"}</span>;
}
