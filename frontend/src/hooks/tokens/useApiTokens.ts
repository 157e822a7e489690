import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ApiError } from "../../api/client";
import { createApiToken, fetchApiTokens, revokeApiToken } from "../../api/tokens";
import type { ApiTokenInput, CreatedApiToken } from "../../types/tokens";

export const apiTokenKeys = {
  all: ["api-tokens"] as const,
};

export function useApiTokens() {
  return useQuery({
    queryKey: apiTokenKeys.all,
    queryFn: ({ signal }) => fetchApiTokens(signal),
  });
}

/** Create a token; the list is refreshed to show it. */
export function useCreateApiToken() {
  const queryClient = useQueryClient();
  return useMutation<CreatedApiToken, ApiError, ApiTokenInput>({
    mutationFn: createApiToken,
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: apiTokenKeys.all });
    },
  });
}

export function useRevokeApiToken() {
  const queryClient = useQueryClient();
  return useMutation<undefined, ApiError, number>({
    mutationFn: revokeApiToken,
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: apiTokenKeys.all });
    },
  });
}
