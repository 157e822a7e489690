import { useId } from "react";
import { Link } from "react-router";
import { formatMaybe, formatThreshold, unitOf } from "../../lib/alerting";
import { formatDateTime } from "../../lib/format";
import { truncate } from "../../lib/text";
import { alertDetailPath } from "../../routes/paths";
import type { AlertItem } from "../../types/alerts";
import type { MetricInfo } from "../../types/monitoring";
import { LabelChips } from "../ui/LabelChips";
import { AcknowledgedBadge, AlertStatusBadge, FlappingBadge, InhibitedBadge, SeverityBadge, SilencedBadge } from "../ui/Badges";

interface AlertTableProps {
  alerts: readonly AlertItem[];
  /** The catalogue, for units; values read without a unit until it is known. */
  metrics?: readonly MetricInfo[] | undefined;
  /** The list's query string, so that the detail page can link back to the same view. */
  listSearch: string;
  busy?: boolean;
  caption?: string;
}

function Time({ iso }: { iso: string }) {
  return <time dateTime={iso}>{formatDateTime(iso)}</time>;
}

function Resolution({ alert }: { alert: AlertItem }) {
  if (alert.status === "active" || !alert.resolved_at) return <span className="muted">open</span>;
  return (
    <>
      <Time iso={alert.resolved_at} />
      <span className="message-cell__meta">{alert.resolved_by ? `by ${alert.resolved_by}` : "by the system"}</span>
    </>
  );
}

/** A page of alerts: what fired, how far past its threshold, when, and how it ended. */
export function AlertTable({ alerts, metrics, listSearch, busy = false, caption = "Alerts" }: AlertTableProps) {
  const captionId = useId();
  return (
    // Focusable so that keyboard users can scroll it sideways on a narrow screen.
    <div className="table-scroll" role="region" aria-labelledby={captionId} tabIndex={0}>
      <table className={`table${busy ? " is-busy" : ""}`} aria-busy={busy}>
        <caption id={captionId} className="visually-hidden">
          {caption}
        </caption>
        <thead>
          <tr>
            <th scope="col">Severity</th>
            <th scope="col">Alert</th>
            <th scope="col" className="numeric">
              Value
            </th>
            <th scope="col">Threshold</th>
            <th scope="col">Status</th>
            <th scope="col">Triggered</th>
            <th scope="col">Resolved</th>
          </tr>
        </thead>
        <tbody>
          {alerts.map((alert) => {
            const unit = unitOf(metrics, alert.metric_name);
            return (
              <tr key={alert.id}>
                <td>
                  <SeverityBadge severity={alert.severity} />
                </td>
                <th scope="row" className="message-cell">
                  <Link to={alertDetailPath(alert.id)} state={{ listSearch }} className="message-cell__link">
                    #{alert.id} {alert.rule_name || "(rule deleted)"}
                  </Link>
                  <span className="message-cell__meta">
                    <code>{alert.metric_name}</code>
                    {alert.manual && " · triggered by hand"}
                    {alert.message && ` · ${truncate(alert.message, 120)}`}
                  </span>
                  <LabelChips labels={alert.group_labels} label={`Group of alert #${alert.id}`} />
                </th>
                <td className="numeric">{alert.manual && alert.value === null ? "—" : formatMaybe(alert.value, unit)}</td>
                <td className="nowrap">{formatThreshold(alert.condition, alert.threshold_value, unit)}</td>
                <td>
                  <span className="status-chips">
                    <AlertStatusBadge status={alert.status} />
                    {alert.status === "active" && alert.acknowledged_at && <AcknowledgedBadge />}
                    {alert.status === "active" && alert.silenced_by.silences.length + alert.silenced_by.maintenance_windows.length > 0 && (
                      <SilencedBadge />
                    )}
                    {alert.status === "active" && alert.inhibited_by.length > 0 && <InhibitedBadge />}
                    {alert.flapping && <FlappingBadge />}
                  </span>
                  {alert.status === "active" && alert.acknowledged_by && (
                    <span className="message-cell__meta">by {alert.acknowledged_by}</span>
                  )}
                </td>
                <td className="nowrap">
                  <Time iso={alert.triggered_at} />
                </td>
                <td className="nowrap">
                  <Resolution alert={alert} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
