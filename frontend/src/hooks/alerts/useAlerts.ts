import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { fetchAlert, fetchAlerts, fetchOpenAlertCounts, resolveAlert, triggerAlert } from "../../api/alerts";
import type { ApiError } from "../../api/client";
import type { AlertDetail, AlertFilters, TriggerRequest } from "../../types/alerts";
import { useRefreshOptions } from "../monitoring/autoRefresh";
import { alertKeys, invalidateAfterAlertChange } from "./keys";

/** The open alerts the dashboard heads with: most severe first, then newest. */
export const OPEN_ALERTS_FILTERS: AlertFilters = { status: "active", ordering: "severity,-triggered_at", page_size: 10 };

/** A page of the alert history; the previous page stays on screen (marked busy) while the next loads. */
export function useAlerts(filters: AlertFilters, { enabled = true } = {}) {
  return useQuery({
    queryKey: alertKeys.list(filters),
    queryFn: ({ signal }) => fetchAlerts(filters, signal),
    placeholderData: keepPreviousData,
    enabled,
  });
}

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

export function useAlert(id: number) {
  return useQuery({
    queryKey: alertKeys.detail(id),
    queryFn: ({ signal }) => fetchAlert(id, signal),
    enabled: id > 0,
  });
}

export function useResolveAlert(id: number) {
  const queryClient = useQueryClient();
  return useMutation<AlertDetail, ApiError, string>({
    mutationFn: (notes) => resolveAlert(id, notes),
    onSuccess: async (alert) => {
      queryClient.setQueryData(alertKeys.detail(id), alert);
      await invalidateAfterAlertChange(queryClient);
    },
    onError: async (error) => {
      // Resolved by someone else meanwhile: what the page shows is out of date.
      if (error.status === 409) await invalidateAfterAlertChange(queryClient);
    },
  });
}

export function useTriggerAlert() {
  const queryClient = useQueryClient();
  return useMutation<AlertDetail, ApiError, TriggerRequest>({
    mutationFn: triggerAlert,
    onSuccess: async (alert) => {
      queryClient.setQueryData(alertKeys.detail(alert.id), alert);
      await invalidateAfterAlertChange(queryClient);
    },
  });
}
