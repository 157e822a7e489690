import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import {
  createCheck,
  deleteCheck,
  fetchCheck,
  fetchCheckResults,
  fetchChecks,
  runCheck,
  updateCheck,
} from "../../api/checks";
import type { ApiError } from "../../api/client";
import type { Check, CheckInput, CheckResult } from "../../types/checks";
import { REFRESH_INTERVAL_MS } from "../autoRefresh";
import { ruleKeys } from "../queryKeys";

export const checkKeys = {
  all: ["checks"] as const,
  list: () => [...checkKeys.all, "list"] as const,
  detail: (id: number) => [...checkKeys.all, "detail", id] as const,
  results: (id: number) => [...checkKeys.all, "results", id] as const,
};

/** The checks, refreshed every 30 s (their states change on their own). A 404 (a server without
 * checks) is, as every 4xx, not retried. */
export function useChecks() {
  return useQuery<Check[], ApiError>({
    queryKey: checkKeys.list(),
    queryFn: ({ signal }) => fetchChecks(signal),
    refetchInterval: REFRESH_INTERVAL_MS,
  });
}

export function useCheck(id: number) {
  return useQuery<Check, ApiError>({
    queryKey: checkKeys.detail(id),
    queryFn: ({ signal }) => fetchCheck(id, signal),
    enabled: id > 0,
    refetchInterval: REFRESH_INTERVAL_MS,
  });
}

export function useCheckResults(id: number) {
  return useQuery<CheckResult[], ApiError>({
    queryKey: checkKeys.results(id),
    queryFn: ({ signal }) => fetchCheckResults(id, 200, signal),
    enabled: id > 0,
    refetchInterval: REFRESH_INTERVAL_MS,
  });
}

async function afterCheckChange(queryClient: QueryClient): Promise<void> {
  // A check's default rule is made and deleted with it.
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: checkKeys.all }),
    queryClient.invalidateQueries({ queryKey: ruleKeys.all }),
  ]);
}

export interface SaveCheckVariables {
  id: number | null;
  input: CheckInput;
  /** On creation only. */
  createRule: boolean;
}

export function useSaveCheck() {
  const queryClient = useQueryClient();
  return useMutation<Check, ApiError, SaveCheckVariables>({
    mutationFn: ({ id, input, createRule }) =>
      id === null ? createCheck({ ...input, create_rule: createRule }) : updateCheck(id, input),
    onSuccess: () => afterCheckChange(queryClient),
  });
}

export function useDeleteCheck() {
  const queryClient = useQueryClient();
  return useMutation<undefined, ApiError, number>({
    mutationFn: deleteCheck,
    onSettled: () => afterCheckChange(queryClient),
  });
}

export function useRunCheck() {
  const queryClient = useQueryClient();
  return useMutation<Check, ApiError, number>({
    mutationFn: runCheck,
    onSuccess: (check) => {
      queryClient.setQueryData(checkKeys.detail(check.id), check);
      return queryClient.invalidateQueries({ queryKey: checkKeys.all });
    },
  });
}
