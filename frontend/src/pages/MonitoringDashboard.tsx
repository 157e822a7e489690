import { useSearchParams } from "react-router";
import { AccountCard } from "../components/account/AccountCard";
import { AlertPanel } from "../components/monitoring/AlertPanel";
import { EndpointTable } from "../components/monitoring/EndpointTable";
import { HealthPanel } from "../components/monitoring/HealthPanel";
import { PerformanceChart } from "../components/monitoring/PerformanceChart";
import { AutoRefreshProvider, RefreshControls } from "../components/monitoring/RefreshControls";
import { StatusOverview } from "../components/monitoring/StatusOverview";
import { TimeRangeSelector } from "../components/monitoring/TimeRangeSelector";
import { useSignedInUser } from "../hooks/auth/signedInUser";
import { alertKeys, ruleKeys } from "../hooks/alerts/keys";
import { healthKeys, monitoringKeys } from "../hooks/monitoring/useMonitoring";
import { usePageTitle } from "../hooks/usePageTitle";
import { DEFAULT_TIME_RANGE, timeRangeFor, type TimeRangeId } from "../lib/timeRanges";

/** Everything the page shows refreshes together, and "updated … ago" is about all of it. */
const DASHBOARD_QUERIES = [healthKeys.all, monitoringKeys.all, alertKeys.all, ruleKeys.health()] as const;

const CHARTS = [
  { title: "API response time", metrics: ["api_response_time"] },
  { title: "API error rate", metrics: ["api_error_rate"] },
  { title: "API requests", metrics: ["api_request_count"] },
  { title: "CPU and memory", metrics: ["cpu_usage", "memory_usage"] },
] as const;

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
      <div className="chart-grid">
        {CHARTS.map((chart) => (
          <PerformanceChart key={chart.title} title={chart.title} metrics={chart.metrics} range={range} />
        ))}
      </div>
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
