/**
 * What the alerting side tells the rest of the dashboard, refreshed with it: the open alerts and
 * their counts, and each watched metric's health.
 */
import { useQuery } from "@tanstack/react-query";
import { fetchAlerts, fetchMetricHealth, fetchOpenAlertCounts } from "../api/alerts";
import type { AlertFilters } from "../types/alerts";
import { useRefreshOptions } from "./autoRefresh";
import { alertKeys, ruleKeys } from "./queryKeys";

/** The open alerts the dashboard heads with: most severe first, then newest. */
export const OPEN_ALERTS_FILTERS: AlertFilters = { status: "active", ordering: "severity,-triggered_at", page_size: 10 };

/** The open alerts, refreshed with the dashboard. */
export function useOpenAlerts({ enabled = true } = {}) {
  const refresh = useRefreshOptions();
  return useQuery({
    queryKey: alertKeys.list(OPEN_ALERTS_FILTERS),
    queryFn: ({ signal }) => fetchAlerts(OPEN_ALERTS_FILTERS, signal),
    enabled,
    ...refresh,
  });
}

/** How many alerts are open, by severity, refreshed with the dashboard. */
export function useOpenAlertCounts({ enabled = true } = {}) {
  const refresh = useRefreshOptions();
  return useQuery({
    queryKey: alertKeys.openCounts(),
    queryFn: ({ signal }) => fetchOpenAlertCounts(signal),
    enabled,
    ...refresh,
  });
}

/** Each watched metric's health, refreshed with the dashboard. */
export function useMetricHealth({ enabled = true } = {}) {
  const refresh = useRefreshOptions();
  return useQuery({
    queryKey: ruleKeys.health(),
    queryFn: ({ signal }) => fetchMetricHealth(signal),
    enabled,
    ...refresh,
  });
}
