import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ApiError } from "../../api/client";
import { createPushToken, fetchPushTokens, revokePushToken } from "../../api/monitoring";
import type { CreatedPushToken } from "../../types/monitoring";
import { monitoringKeys } from "./useMonitoring";

export const pushTokenKeys = {
  all: [...monitoringKeys.all, "push-tokens"] as const,
};

export function usePushTokens(enabled = true) {
  return useQuery({
    queryKey: pushTokenKeys.all,
    queryFn: ({ signal }) => fetchPushTokens(signal),
    enabled,
  });
}

/** Create a token; the list is refreshed once it shows the new one. */
export function useCreatePushToken() {
  const queryClient = useQueryClient();
  return useMutation<CreatedPushToken, ApiError, string>({
    mutationFn: createPushToken,
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: pushTokenKeys.all });
    },
  });
}

export function useRevokePushToken() {
  const queryClient = useQueryClient();
  return useMutation<undefined, ApiError, number>({
    mutationFn: revokePushToken,
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: pushTokenKeys.all });
    },
  });
}
