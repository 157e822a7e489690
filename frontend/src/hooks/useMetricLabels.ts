/**
 * A metric's label names and values (`GET /api/monitoring/metrics/<name>/labels/`), for the rule
 * form's matchers and group-by and the dashboard's chart filters. Shared: both areas ask.
 */
import { useQuery } from "@tanstack/react-query";
import { fetchMetricLabels } from "../api/monitoring";
import { METRIC_NAME_PATTERN } from "../types/alerts";

export const metricLabelKeys = {
  all: ["metric-labels"] as const,
  metric: (name: string) => [...metricLabelKeys.all, name] as const,
};

/**
 * The labels of `name`, when it can be a metric (and `enabled`: the caller knows whether the user may
 * read samples, `monitoring.view_metricsample`). A metric the API does
 * not know yet (a custom one before its first sample) answers 404: the caller then offers free text.
 */
export function useMetricLabels(name: string, { enabled = true } = {}) {
  return useQuery({
    queryKey: metricLabelKeys.metric(name),
    queryFn: ({ signal }) => fetchMetricLabels(name, signal),
    enabled: enabled && METRIC_NAME_PATTERN.test(name),
    // Label names change slowly; one answer serves a form or a chart for a while.
    staleTime: 60_000,
    retry: false,
  });
}

/** The label names a metric has, sorted; none while unknown. */
export function labelNamesOf(labels: Readonly<Record<string, readonly string[]>> | undefined): string[] {
  return labels ? Object.keys(labels).sort() : [];
}
