import { useQuery } from "@tanstack/react-query";
import { fetchIntegrations } from "../../api/alerts";
import { integrationKeys } from "../queryKeys";

/** The default Slack channel's name and the daily summary's recipients (`/api/alerts/integrations/`). */
export function useIntegrations() {
  return useQuery({
    queryKey: integrationKeys.status(),
    queryFn: ({ signal }) => fetchIntegrations(signal),
  });
}
