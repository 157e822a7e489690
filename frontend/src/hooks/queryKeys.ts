/**
 * Query keys of the alerting resources, one factory per resource, and what a change invalidates.
 * A mutation invalidates the lists it changes. Shared: the dashboard refreshes what the alerts pages
 * change.
 */
import type { QueryClient } from "@tanstack/react-query";
import type { AlertFilters, RuleFilters } from "../types/alerts";

export const alertKeys = {
  all: ["alerts"] as const,
  lists: () => [...alertKeys.all, "list"] as const,
  list: (filters: AlertFilters) => [...alertKeys.lists(), filters] as const,
  details: () => [...alertKeys.all, "detail"] as const,
  detail: (id: number) => [...alertKeys.details(), id] as const,
  openCounts: () => [...alertKeys.all, "open-counts"] as const,
};

export const ruleKeys = {
  all: ["rules"] as const,
  lists: () => [...ruleKeys.all, "list"] as const,
  list: (filters: RuleFilters) => [...ruleKeys.lists(), filters] as const,
  details: () => [...ruleKeys.all, "detail"] as const,
  detail: (id: number) => [...ruleKeys.details(), id] as const,
  /** Each watched metric's health: it follows the rules' states. */
  health: () => [...ruleKeys.all, "metric-health"] as const,
};

export const metricCatalogueKeys = {
  all: ["metric-catalogue"] as const,
};

export const statsKeys = {
  all: ["stats"] as const,
  period: (days: number) => [...statsKeys.all, days] as const,
};

export const integrationKeys = {
  all: ["integrations"] as const,
  status: () => [...integrationKeys.all, "status"] as const,
};

export const channelKeys = {
  all: ["channels"] as const,
  list: () => [...channelKeys.all, "list"] as const,
  kinds: () => [...channelKeys.all, "kinds"] as const,
  deliveries: (id: number) => [...channelKeys.all, "deliveries", id] as const,
};

export const policyKeys = {
  all: ["policies"] as const,
  list: () => [...policyKeys.all, "list"] as const,
};

export const silenceKeys = {
  all: ["silences"] as const,
  list: (state: string) => [...silenceKeys.all, "list", state] as const,
  preview: (matchers: string) => [...silenceKeys.all, "preview", matchers] as const,
  windows: () => [...silenceKeys.all, "maintenance-windows"] as const,
};

export const timelineKeys = {
  all: ["timeline"] as const,
  alert: (id: number) => [...timelineKeys.all, id] as const,
};

/**
 * What changes when an alert opens or closes (a resolve, a trigger, a rule switched off or
 * deleted): every alert list, detail, timeline and count, the rules (their open alert) and the
 * statistics.
 * Awaited, so that a mutation reports success once the lists show the change.
 */
export async function invalidateAfterAlertChange(queryClient: QueryClient): Promise<void> {
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: alertKeys.all }),
    queryClient.invalidateQueries({ queryKey: timelineKeys.all }),
    queryClient.invalidateQueries({ queryKey: ruleKeys.all }),
    queryClient.invalidateQueries({ queryKey: statsKeys.all }),
  ]);
}

/**
 * What changes when an open alert is acknowledged or given back: the alert lists and details (who
 * has it, the acknowledged filter), their timelines and the statistics (the time to acknowledge).
 * Not the rules nor the open counts: the alert stays open.
 */
export async function invalidateAfterAcknowledgement(queryClient: QueryClient): Promise<void> {
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: alertKeys.lists() }),
    queryClient.invalidateQueries({ queryKey: alertKeys.details() }),
    queryClient.invalidateQueries({ queryKey: timelineKeys.all }),
    queryClient.invalidateQueries({ queryKey: statsKeys.all }),
  ]);
}
