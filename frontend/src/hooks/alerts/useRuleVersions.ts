import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { fetchRuleVersions, restoreRuleVersion } from "../../api/audit";
import type { ApiError } from "../../api/client";
import type { AlertRule } from "../../types/alerts";
import { invalidateAfterAlertChange, ruleKeys } from "../queryKeys";

/** Under the rules' keys: whatever refreshes the rules refreshes their versions. */
export const ruleVersionKeys = {
  of: (id: number) => [...ruleKeys.all, "versions", id] as const,
};

export function useRuleVersions(id: number) {
  return useQuery({
    queryKey: ruleVersionKeys.of(id),
    queryFn: ({ signal }) => fetchRuleVersions(id, signal),
    enabled: id > 0,
  });
}

export function useRestoreRuleVersion(id: number) {
  const queryClient = useQueryClient();
  return useMutation<AlertRule, ApiError, number>({
    mutationFn: (number) => restoreRuleVersion(id, number),
    onSuccess: async (rule) => {
      queryClient.setQueryData(ruleKeys.detail(id), rule);
      await queryClient.invalidateQueries({ queryKey: ruleVersionKeys.of(id) });
      // A restored version may switch the rule off, which closes its open alert.
      await invalidateAfterAlertChange(queryClient);
    },
  });
}
