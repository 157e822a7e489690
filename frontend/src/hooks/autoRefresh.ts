import { useIsFetching, useQueryClient, type Query, type QueryKey } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useSyncExternalStore } from "react";

/** How often an auto-refreshing page asks for new data. */
export const REFRESH_INTERVAL_MS = 30_000;

export interface AutoRefreshState {
  paused: boolean;
  setPaused: (paused: boolean) => void;
}

/**
 * One switch for every query of a page: the page provides it (`AutoRefreshProvider`), the query
 * hooks read it. Outside a provider, data refreshes and cannot be paused.
 */
export const AutoRefreshContext = createContext<AutoRefreshState>({
  paused: false,
  setPaused: () => undefined,
});

export function useAutoRefresh(): AutoRefreshState {
  return useContext(AutoRefreshContext);
}

/** The refresh options of a query on an auto-refreshing page. */
export function useRefreshOptions() {
  const { paused } = useAutoRefresh();
  return {
    refetchInterval: paused ? false : REFRESH_INTERVAL_MS,
    // Returning to the tab refreshes too, unless the user has asked the page to hold still.
    refetchOnWindowFocus: !paused,
  } as const;
}

function startsWith(key: QueryKey, prefix: QueryKey): boolean {
  return prefix.every((part, index) => key[index] === part);
}

/**
 * The page's queries (those under `prefixes` that something on the page uses): when the oldest of
 * their data was fetched, whether any is fetching, and a way to refresh them all. `prefixes`
 * should be a constant of the page (a new array each render would resubscribe each render).
 */
export function usePageQueries(prefixes: readonly QueryKey[]) {
  const queryClient = useQueryClient();
  const cache = queryClient.getQueryCache();
  const predicate = useCallback(
    (query: Query) => query.getObserversCount() > 0 && prefixes.some((prefix) => startsWith(query.queryKey, prefix)),
    [prefixes],
  );

  const oldestUpdate = useSyncExternalStore(
    useCallback((onChange) => cache.subscribe(onChange), [cache]),
    () => {
      let oldest = 0;
      for (const query of cache.findAll({ predicate })) {
        const at = query.state.dataUpdatedAt;
        if (at > 0 && (oldest === 0 || at < oldest)) oldest = at;
      }
      return oldest;
    },
  );
  const fetching = useIsFetching({ predicate }) > 0;
  const refresh = useCallback(
    () => queryClient.refetchQueries({ predicate, type: "active" }),
    [queryClient, predicate],
  );

  return { oldestUpdate, fetching, refresh };
}
