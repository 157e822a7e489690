import { Link } from "react-router";
import { useOpenAlertCounts } from "../../hooks/useAlertingState";
import { SEVERITY_LABELS } from "../../lib/alerting";
import { paths } from "../../routes/paths";
import { SEVERITIES, type OpenAlertCounts } from "../../types/alerts";
import type { MetricHealth } from "../../types/monitoring";
import { SystemStatusCard } from "./SystemStatusCard";

/** Critical when a critical or high alert is open, a warning for medium or low, OK for none. */
export function openAlertsHealth(counts: OpenAlertCounts): MetricHealth {
  const { critical, high, medium, low } = counts.by_severity;
  if (critical + high > 0) return "critical";
  if (medium + low > 0) return "warning";
  return "ok";
}

function breakdown(counts: OpenAlertCounts): string {
  const parts = SEVERITIES.filter((severity) => counts.by_severity[severity] > 0).map(
    (severity) => `${counts.by_severity[severity]} ${SEVERITY_LABELS[severity].toLowerCase()}`,
  );
  return parts.length > 0 ? parts.join(", ") : "none open";
}

/** The number of open alerts (`GET /api/alerts/open-alerts/`), by severity, as a status card. */
export function OpenAlertsCard() {
  const counts = useOpenAlertCounts();

  if (counts.isPending) {
    return (
      <article className="metric-card metric-card--neutral" aria-busy="true">
        <h3 className="metric-card__title">Open alerts</h3>
        <p className="muted">Loading…</p>
      </article>
    );
  }
  if (counts.isError && !counts.data) {
    return (
      <article className="metric-card metric-card--neutral">
        <h3 className="metric-card__title">Open alerts</h3>
        <p className="field__error" role="alert">
          Could not load: {counts.error.message}
        </p>
      </article>
    );
  }
  const data = counts.data;
  return (
    <SystemStatusCard
      title="Open alerts"
      readings={[{ name: "open_alerts", label: "Open alerts", value: String(data.total), note: breakdown(data) }]}
      health={openAlertsHealth(data)}
      footer={<Link to={`${paths.alerts}?status=active`}>See the open alerts</Link>}
    />
  );
}
