import { useSearchParams } from "react-router";
import { AccountCard } from "../components/account/AccountCard";
import { AlertPanel } from "../components/monitoring/AlertPanel";
import { EndpointTable } from "../components/monitoring/EndpointTable";
import { HealthPanel } from "../components/monitoring/HealthPanel";
import { PerformanceChart } from "../components/monitoring/PerformanceChart";
import { AutoRefreshProvider, RefreshControls } from "../components/monitoring/RefreshControls";
import { dashboardGroups, OVERVIEW_MINUTES, StatusOverview } from "../components/monitoring/StatusOverview";
import { TimeRangeSelector } from "../components/monitoring/TimeRangeSelector";
import { ErrorState } from "../components/ui/ErrorState";
import { LoadingState } from "../components/ui/LoadingState";
import { useSignedInUser } from "../hooks/auth/signedInUser";
import { alertKeys, ruleKeys } from "../hooks/queryKeys";
import { healthKeys, monitoringKeys, useOverview } from "../hooks/monitoring/useMonitoring";
import { usePageTitle } from "../hooks/usePageTitle";
import { DEFAULT_TIME_RANGE, timeRangeFor, type TimeRange, type TimeRangeId } from "../lib/timeRanges";

/** Everything the page shows refreshes together, and "updated … ago" is about all of it. */
const DASHBOARD_QUERIES = [healthKeys.all, monitoringKeys.all, alertKeys.all, ruleKeys.health()] as const;

/** The charts the catalogue places on the dashboard (read from the status cards' overview, one request). */
function Charts({ range }: { range: TimeRange }) {
  const overview = useOverview(OVERVIEW_MINUTES);
  if (overview.isPending) return <LoadingState label="Loading charts…" />;
  if (overview.isError && !overview.data) {
    return (
      <ErrorState
        title="Could not load the charts"
        message={overview.error.message}
        onRetry={() => void overview.refetch()}
      />
    );
  }
  return (
    <div className="chart-grid">
      {dashboardGroups(overview.data.metrics, "chart").map((chart) => (
        <PerformanceChart
          key={chart.title}
          title={chart.title}
          metrics={chart.metrics.map((metric) => metric.name)}
          range={range}
        />
      ))}
    </div>
  );
}

function Performance() {
  const [searchParams, setSearchParams] = useSearchParams();
  const range = timeRangeFor(searchParams.get("range"));
  const chooseRange = (id: TimeRangeId) => {
    setSearchParams(
      (params) => {
        if (id === DEFAULT_TIME_RANGE.id) params.delete("range");
        else params.set("range", id);
        return params;
      },
      { replace: true },
    );
  };

  return (
    <section className="section" aria-labelledby="performance-heading">
      <div className="section__header">
        <h2 id="performance-heading" className="section__title">
          Performance
        </h2>
        <TimeRangeSelector value={range} onChange={chooseRange} />
      </div>
      <Charts range={range} />
      <EndpointTable range={range} />
    </section>
  );
}

export function MonitoringDashboard() {
  usePageTitle("Dashboard");
  const user = useSignedInUser();

  return (
    <AutoRefreshProvider>
      <div className="page-header page-header--split">
        <h1>Dashboard</h1>
        <RefreshControls queryPrefixes={DASHBOARD_QUERIES} />
      </div>
      <div className="page-sections">
        {/* First on the page: what needs attention now. */}
        <AlertPanel />
        <StatusOverview />
        <div className="dashboard-grid">
          <HealthPanel />
          <AccountCard user={user} />
        </div>
        <Performance />
      </div>
    </AutoRefreshProvider>
  );
}
