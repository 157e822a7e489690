import { useQuery } from "@tanstack/react-query";
import { fetchHealth } from "../../api/health";

export const HEALTH_REFRESH_INTERVAL_MS = 30_000;

export const healthKeys = {
  all: ["health"] as const,
  report: () => [...healthKeys.all, "report"] as const,
};

interface SystemHealthOptions {
  /** Stops the periodic refresh (and the refresh on returning to the tab). */
  paused?: boolean;
}

export function useSystemHealth({ paused = false }: SystemHealthOptions = {}) {
  return useQuery({
    queryKey: healthKeys.report(),
    queryFn: ({ signal }) => fetchHealth(signal),
    refetchInterval: paused ? false : HEALTH_REFRESH_INTERVAL_MS,
    refetchOnWindowFocus: !paused,
    // A failed check should show now, not after retries.
    retry: false,
    staleTime: 0,
  });
}
