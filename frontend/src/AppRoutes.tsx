import { Navigate, Route, Routes } from "react-router";
import { RequireAuth } from "./components/auth/RequireAuth";
import { AppLayout } from "./components/layout/AppLayout";
import { useSessionExpiryRedirect } from "./hooks/auth/useAuth";
import { ErrorDetailPage } from "./pages/ErrorDetailPage";
import { ErrorLogsPage } from "./pages/ErrorLogsPage";
import { LoginPage } from "./pages/LoginPage";
import { MonitoringDashboard } from "./pages/MonitoringDashboard";
import { NotFoundPage } from "./pages/NotFoundPage";
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
          <Route path={paths.errors} element={<ErrorLogsPage />} />
          <Route path={paths.errorDetail} element={<ErrorDetailPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Route>
    </Routes>
  );
}
