import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { fetchAlertStats } from "../../api/alerts";
import { statsKeys } from "../queryKeys";


/** The alert statistics over the last `days`; the previous period stays on screen while the next loads. */
export function useAlertStats(days: number) {
  return useQuery({
    queryKey: statsKeys.period(days),
    queryFn: ({ signal }) => fetchAlertStats(days, signal),
    placeholderData: keepPreviousData,
  });
}
