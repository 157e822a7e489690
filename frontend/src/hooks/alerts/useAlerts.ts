import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { acknowledgeAlert, fetchAlert, fetchAlerts, resolveAlert, triggerAlert, unacknowledgeAlert } from "../../api/alerts";
import type { ApiError } from "../../api/client";
import type { AlertDetail, AlertFilters, TriggerRequest } from "../../types/alerts";
import { alertKeys, invalidateAfterAcknowledgement, invalidateAfterAlertChange } from "../queryKeys";

/** A page of the alert history; the previous page stays on screen (marked busy) while the next loads. */
export function useAlerts(filters: AlertFilters, { enabled = true } = {}) {
  return useQuery({
    queryKey: alertKeys.list(filters),
    queryFn: ({ signal }) => fetchAlerts(filters, signal),
    placeholderData: keepPreviousData,
    enabled,
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

/**
 * Acknowledges an open alert with a comment. A 409 means it was resolved meanwhile: the alert and
 * everything that shows it open are out of date.
 */
export function useAcknowledgeAlert(id: number) {
  const queryClient = useQueryClient();
  return useMutation<AlertDetail, ApiError, string>({
    mutationFn: (comment) => acknowledgeAlert(id, comment),
    onSuccess: async (alert) => {
      queryClient.setQueryData(alertKeys.detail(id), alert);
      await invalidateAfterAcknowledgement(queryClient);
    },
    onError: async (error) => {
      if (error.status === 409) await invalidateAfterAlertChange(queryClient);
    },
  });
}

/** Gives an acknowledged alert back; a 409 as for acknowledging. */
export function useUnacknowledgeAlert(id: number) {
  const queryClient = useQueryClient();
  return useMutation<AlertDetail, ApiError>({
    mutationFn: () => unacknowledgeAlert(id),
    onSuccess: async (alert) => {
      queryClient.setQueryData(alertKeys.detail(id), alert);
      await invalidateAfterAcknowledgement(queryClient);
    },
    onError: async (error) => {
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
