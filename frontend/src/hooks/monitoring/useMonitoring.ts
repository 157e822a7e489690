import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ApiError } from "../../api/client";
import { fetchHealth } from "../../api/health";
import {
  bulkUpdateErrors,
  fetchEndpointStats,
  fetchErrorLog,
  fetchErrorLogs,
  fetchMetricSeries,
  fetchOverview,
  type EndpointStatsQuery,
} from "../../api/monitoring";
import type { ErrorBulkRequest, ErrorBulkResult, ErrorFilters, SeriesQuery } from "../../types/monitoring";
import { useRefreshOptions } from "../autoRefresh";

export const healthKeys = {
  all: ["health"] as const,
  report: () => [...healthKeys.all, "report"] as const,
};

export const monitoringKeys = {
  all: ["monitoring"] as const,
  overview: (minutes: number) => [...monitoringKeys.all, "overview", minutes] as const,
  series: (name: string, query: SeriesQuery) => [...monitoringKeys.all, "series", name, query] as const,
  endpoints: (params: EndpointStatsQuery) => [...monitoringKeys.all, "endpoints", params] as const,
};

export const errorKeys = {
  all: ["errors"] as const,
  lists: () => [...errorKeys.all, "list"] as const,
  list: (filters: ErrorFilters) => [...errorKeys.lists(), filters] as const,
  details: () => [...errorKeys.all, "detail"] as const,
  detail: (id: number) => [...errorKeys.details(), id] as const,
};

/** The health probe, refreshed with the page (see `autoRefresh`). */
export function useSystemHealth() {
  const refresh = useRefreshOptions();
  return useQuery({
    queryKey: healthKeys.report(),
    queryFn: ({ signal }) => fetchHealth(signal),
    ...refresh,
    // A failed check should show now, not after retries.
    retry: false,
    staleTime: 0,
  });
}

/** Every catalogue metric over the last `minutes`: the status cards. */
export function useOverview(minutes: number) {
  const refresh = useRefreshOptions();
  return useQuery({
    queryKey: monitoringKeys.overview(minutes),
    queryFn: ({ signal }) => fetchOverview(minutes, signal),
    ...refresh,
  });
}

/** Several metrics over the last `minutes` (with the same label filters and split), for one chart:
 * one query per metric. */
export function useMetricSeries(names: readonly string[], query: SeriesQuery) {
  const refresh = useRefreshOptions();
  return useQueries({
    queries: names.map((name) => ({
      queryKey: monitoringKeys.series(name, query),
      queryFn: ({ signal }: { signal: AbortSignal }) => fetchMetricSeries(name, query, signal),
      ...refresh,
    })),
  });
}

/** The slowest or most failing routes. */
export function useEndpointStats(params: EndpointStatsQuery) {
  const refresh = useRefreshOptions();
  return useQuery({
    queryKey: monitoringKeys.endpoints(params),
    queryFn: ({ signal }) => fetchEndpointStats(params, signal),
    ...refresh,
  });
}

/** A page of the error log; the previous page stays on screen (marked busy) while the next loads. */
export function useErrorLogs(filters: ErrorFilters) {
  return useQuery({
    queryKey: errorKeys.list(filters),
    queryFn: ({ signal }) => fetchErrorLogs(filters, signal),
    placeholderData: keepPreviousData,
  });
}

export function useErrorLog(id: number) {
  return useQuery({
    queryKey: errorKeys.detail(id),
    queryFn: ({ signal }) => fetchErrorLog(id, signal),
  });
}

/** Resolve, reopen or delete error groups; every list, and the groups' details, are refreshed. */
export function useBulkErrorAction() {
  const queryClient = useQueryClient();
  return useMutation<ErrorBulkResult, ApiError, ErrorBulkRequest>({
    mutationFn: bulkUpdateErrors,
    onSuccess: async (_result, { ids, action }) => {
      if (action === "delete") {
        // Not the detail a page still shows: removing it would make that page ask for it again
        // (a 404) while it navigates away. It is forgotten once nothing shows it.
        for (const id of ids) {
          queryClient.removeQueries({ queryKey: errorKeys.detail(id), exact: true, type: "inactive" });
        }
      } else {
        for (const id of ids) {
          void queryClient.invalidateQueries({ queryKey: errorKeys.detail(id), exact: true });
        }
      }
      // Awaited: the mutation reports success once the lists show the change.
      await queryClient.invalidateQueries({ queryKey: errorKeys.lists() });
    },
  });
}
