import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { fetchAudit, type AuditFilters } from "../api/audit";

export function useAudit(filters: AuditFilters) {
  return useQuery({
    queryKey: ["audit", filters] as const,
    queryFn: ({ signal }) => fetchAudit(filters, signal),
    placeholderData: keepPreviousData,
  });
}
