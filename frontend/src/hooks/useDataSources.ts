import { useQuery } from "@tanstack/react-query";
import { fetchDataSources } from "../api/dataSources";

/** The data sources a promql rule may query; asked for only when the form needs them. */
export function useDataSources({ enabled }: { enabled: boolean }) {
  return useQuery({
    queryKey: ["monitoring", "data-sources"],
    queryFn: ({ signal }) => fetchDataSources(signal),
    enabled,
  });
}
