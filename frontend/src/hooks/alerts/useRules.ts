import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  createRule,
  deleteRule,
  evaluateDraft,
  evaluateRule,
  fetchMetricCatalogue,
  fetchRule,
  fetchRules,
  setRuleActive,
  updateRule,
} from "../../api/alerts";
import type { ApiError } from "../../api/client";
import type { AlertRule, RuleInputBody, Evaluation, RuleDraft, RuleFilters, SavedRule } from "../../types/alerts";
import { invalidateAfterAlertChange, metricCatalogueKeys, ruleKeys } from "../queryKeys";

export function useRules(filters: RuleFilters, { enabled = true } = {}) {
  return useQuery({
    queryKey: ruleKeys.list(filters),
    queryFn: ({ signal }) => fetchRules(filters, signal),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useRule(id: number) {
  return useQuery({
    queryKey: ruleKeys.detail(id),
    queryFn: ({ signal }) => fetchRule(id, signal),
    enabled: id > 0,
  });
}

/** The metric catalogue with current values and the rule form's choices. */
export function useMetricCatalogue({ enabled = true } = {}) {
  return useQuery({
    queryKey: metricCatalogueKeys.all,
    queryFn: ({ signal }) => fetchMetricCatalogue(signal),
    staleTime: 30_000,
    enabled,
  });
}

export function useCreateRule() {
  const queryClient = useQueryClient();
  return useMutation<SavedRule, ApiError, RuleInputBody>({
    mutationFn: createRule,
    onSuccess: async (rule) => {
      queryClient.setQueryData(ruleKeys.detail(rule.id), rule);
      await queryClient.invalidateQueries({ queryKey: ruleKeys.all });
    },
  });
}

export function useUpdateRule(id: number) {
  const queryClient = useQueryClient();
  return useMutation<SavedRule, ApiError, RuleInputBody>({
    mutationFn: (input) => updateRule(id, input),
    onSuccess: async (rule) => {
      queryClient.setQueryData(ruleKeys.detail(id), rule);
      // Switching a rule off closes its open alert.
      await invalidateAfterAlertChange(queryClient);
    },
  });
}

export function useSetRuleActive(id: number) {
  const queryClient = useQueryClient();
  return useMutation<AlertRule, ApiError, boolean>({
    mutationFn: (active) => setRuleActive(id, active),
    onSuccess: async (rule) => {
      queryClient.setQueryData(ruleKeys.detail(id), rule);
      await invalidateAfterAlertChange(queryClient);
    },
  });
}

export function useDeleteRule(id: number) {
  const queryClient = useQueryClient();
  return useMutation<undefined, ApiError, undefined>({
    mutationFn: () => deleteRule(id),
    onSuccess: async () => {
      // Not the detail the page still shows (it would be asked for again, a 404, while the page
      // leaves); it is forgotten once nothing shows it.
      queryClient.removeQueries({ queryKey: ruleKeys.detail(id), exact: true, type: "inactive" });
      // Its open alert was closed; its history stays.
      await invalidateAfterAlertChange(queryClient);
    },
  });
}

/** "Evaluate now" for a saved rule: a dry run, nothing cached or changed. */
export function useEvaluateRule(id: number) {
  return useMutation<Evaluation, ApiError, undefined>({ mutationFn: () => evaluateRule(id) });
}

/** "Evaluate now" for a rule being written: validated as saving would be, nothing saved. */
export function useEvaluateDraft() {
  return useMutation<Evaluation, ApiError, RuleDraft>({ mutationFn: evaluateDraft });
}
