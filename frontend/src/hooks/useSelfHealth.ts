import { useQuery } from "@tanstack/react-query";
import { fetchSelfHealth } from "../api/checks";
import type { ApiError } from "../api/client";
import type { SelfHealth } from "../types/checks";
import { REFRESH_INTERVAL_MS } from "./autoRefresh";

export const selfHealthKey = ["self-health"] as const;

/**
 * The monitor's own health, asked every 30 s by the signed-in layout. A 404 (a server without the
 * endpoint) is, as every 4xx, not retried.
 */
export function useSelfHealth() {
  return useQuery<SelfHealth, ApiError>({
    queryKey: selfHealthKey,
    queryFn: ({ signal }) => fetchSelfHealth(signal),
    refetchInterval: REFRESH_INTERVAL_MS,
  });
}
