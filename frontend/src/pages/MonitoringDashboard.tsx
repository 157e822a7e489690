import { AccountCard } from "../components/account/AccountCard";
import { HealthPanel } from "../components/monitoring/HealthPanel";
import { useSignedInUser } from "../hooks/auth/signedInUser";
import { usePageTitle } from "../hooks/usePageTitle";

export function MonitoringDashboard() {
  usePageTitle("Dashboard");
  const user = useSignedInUser();

  return (
    <>
      <div className="page-header">
        <h1>Dashboard</h1>
      </div>
      <div className="dashboard-grid">
        <HealthPanel />
        <AccountCard user={user} />
      </div>
    </>
  );
}
