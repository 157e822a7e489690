import { Navigate, Route, Routes } from "react-router";
import { RequireAuth } from "./components/auth/RequireAuth";
import { AppLayout } from "./components/layout/AppLayout";
import { useSessionExpiryRedirect } from "./hooks/auth/useAuth";
import { AlertDetailPage } from "./pages/AlertDetailPage";
import { AuditPage } from "./pages/AuditPage";
import { AlertsPage } from "./pages/AlertsPage";
import { CheckDetailPage } from "./pages/CheckDetailPage";
import { ChecksPage } from "./pages/ChecksPage";
import { ErrorDetailPage } from "./pages/ErrorDetailPage";
import { ErrorLogsPage } from "./pages/ErrorLogsPage";
import { LoginPage } from "./pages/LoginPage";
import { MonitoringDashboard } from "./pages/MonitoringDashboard";
import { IntegrationsPage } from "./pages/IntegrationsPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { PoliciesPage } from "./pages/PoliciesPage";
import { RuleDetailPage } from "./pages/RuleDetailPage";
import { RuleFormPage } from "./pages/RuleFormPage";
import { RulesPage } from "./pages/RulesPage";
import { MaintenanceWindowsPage } from "./pages/MaintenanceWindowsPage";
import { SilencesPage } from "./pages/SilencesPage";
import { StatisticsPage } from "./pages/StatisticsPage";
import { TokensPage } from "./pages/TokensPage";
import { paths } from "./routes/paths";

export function AppRoutes() {
  useSessionExpiryRedirect();

  return (
    <Routes>
      <Route path={paths.login} element={<LoginPage />} />
      <Route element={<RequireAuth />}>
        <Route element={<AppLayout />}>
          <Route index element={<Navigate to={paths.dashboard} replace />} />
          <Route path={paths.dashboard} element={<MonitoringDashboard />} />
          <Route path={paths.alerts} element={<AlertsPage />} />
          <Route path={paths.alertDetail} element={<AlertDetailPage />} />
          <Route path={paths.rules} element={<RulesPage />} />
          <Route path={paths.ruleNew} element={<RuleFormPage />} />
          <Route path={paths.ruleDetail} element={<RuleDetailPage />} />
          <Route path={paths.ruleEdit} element={<RuleFormPage />} />
          <Route path={paths.statistics} element={<StatisticsPage />} />
          <Route path={paths.integrations} element={<IntegrationsPage />} />
          <Route path={paths.policies} element={<PoliciesPage />} />
          <Route path={paths.silences} element={<SilencesPage />} />
          <Route path={paths.maintenanceWindows} element={<MaintenanceWindowsPage />} />
          <Route path={paths.errors} element={<ErrorLogsPage />} />
          <Route path={paths.errorDetail} element={<ErrorDetailPage />} />
          <Route path={paths.checks} element={<ChecksPage />} />
          <Route path={paths.checkDetail} element={<CheckDetailPage />} />
          <Route path={paths.tokens} element={<TokensPage />} />
          <Route path={paths.audit} element={<AuditPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Route>
    </Routes>
  );
}
