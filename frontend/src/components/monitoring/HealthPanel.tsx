import { useSystemHealth } from "../../hooks/monitoring/useMonitoring";
import type { HealthReport } from "../../types/monitoring";
import { ErrorState } from "../ui/ErrorState";
import { LoadingState } from "../ui/LoadingState";
import { HealthCheckCard } from "./HealthCheckCard";

/** What each of the health probe's checks means to an operator; a check added to the backend
 * later shows under its own name until it gets an entry here. */
const CHECKS: Record<string, { label: string; description: string }> = {
  database: {
    label: "Database",
    description: "Holds rules, alert history and metric samples.",
  },
  broker: {
    label: "Task broker",
    description: "Carries work to the Celery worker and the schedule from beat.",
  },
  cache: {
    label: "Cache",
    description: "Speeds up reads (Redis when configured); the API keeps answering without it.",
  },
};

function HealthSummary({ report }: { report: HealthReport }) {
  const failing = Object.entries(report.checks)
    .filter(([, status]) => status !== "ok")
    .map(([name]) => CHECKS[name]?.label ?? name);
  // A live region that changes only when the state does: announced then, silent otherwise.
  return (
    <p className={`health-summary health-summary--${report.status}`} role="status">
      <span className="status-icon" aria-hidden="true" />
      {failing.length === 0
        ? "All systems operational"
        : `Degraded: ${failing.join(", ")} ${failing.length === 1 ? "is" : "are"} unavailable`}
    </p>
  );
}

/** The health probe's checks. It refreshes with the page (see `RefreshControls`). */
export function HealthPanel() {
  const health = useSystemHealth();

  let body;
  if (health.isPending) {
    body = <LoadingState label="Checking system health…" />;
  } else if (health.isError && !health.data) {
    body = (
      <ErrorState
        title="Could not check system health"
        message={health.error.message}
        onRetry={() => void health.refetch()}
      />
    );
  } else {
    const report = health.data;
    const checks = Object.entries(report.checks);
    body = (
      <>
        <HealthSummary report={report} />
        {health.isError && (
          <p className="notice notice--warning" role="alert">
            The last refresh failed ({health.error.message}). Showing the previous result.
          </p>
        )}
        {checks.length === 0 && <p className="state muted">The health probe reported no checks.</p>}
        <ul className="status-grid">
          {checks.map(([name, status]) => (
            <li key={name}>
              <HealthCheckCard
                label={CHECKS[name]?.label ?? name}
                description={CHECKS[name]?.description ?? ""}
                status={status}
              />
            </li>
          ))}
        </ul>
      </>
    );
  }

  return (
    <section className="panel" aria-labelledby="health-heading" aria-busy={health.isFetching}>
      <div className="panel__header">
        <h2 id="health-heading" className="panel__title">
          System health
        </h2>
      </div>
      {body}
    </section>
  );
}
