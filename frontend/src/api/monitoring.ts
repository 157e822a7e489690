import type {
  EndpointOrdering,
  EndpointStats,
  ErrorBulkRequest,
  ErrorBulkResult,
  ErrorFilters,
  ErrorLogDetail,
  ErrorLogEntry,
  MetricLabels,
  MetricSeries,
  MonitoringOverview,
  Paginated,
  PushToken,
  CreatedPushToken,
  SeriesQuery,
} from "../types/monitoring";
import { errorFiltersToParams } from "./errorFilters";
import { apiRequest } from "./client";

function withSignal(signal?: AbortSignal) {
  return signal ? { signal } : {};
}

function query(params: Record<string, string | number>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    search.set(name, String(value));
  }
  return search.toString();
}

/** Every catalogue metric's value over the last `minutes` (the status cards). */
export function fetchOverview(minutes: number, signal?: AbortSignal): Promise<MonitoringOverview> {
  return apiRequest<MonitoringOverview>(`/api/monitoring/overview/?${query({ minutes })}`, withSignal(signal));
}

/** The series endpoint's query string: the range, each label filter (repeated), the split. */
export function seriesParams({ minutes, labels = [], splitBy, top }: SeriesQuery): URLSearchParams {
  const search = new URLSearchParams({ minutes: String(minutes) });
  for (const label of labels) search.append("label", label);
  if (splitBy) {
    search.set("split_by", splitBy);
    if (top !== undefined) search.set("top", String(top));
  }
  return search;
}

/** One metric over the last `minutes`, in at most 300 buckets (a chart's line), optionally only the
 * series with some labels, or split by one label into its top series. */
export function fetchMetricSeries(name: string, request: SeriesQuery, signal?: AbortSignal): Promise<MetricSeries> {
  return apiRequest<MetricSeries>(
    `/api/monitoring/metrics/${encodeURIComponent(name)}/series/?${seriesParams(request).toString()}`,
    withSignal(signal),
  );
}

/** The label names a metric's series had in the last day, with their values. */
export function fetchMetricLabels(name: string, signal?: AbortSignal): Promise<MetricLabels> {
  return apiRequest<MetricLabels>(`/api/monitoring/metrics/${encodeURIComponent(name)}/labels/`, withSignal(signal));
}

export interface EndpointStatsQuery {
  minutes: number;
  ordering: EndpointOrdering;
  limit: number;
}

/** The routes ranked by `ordering`, largest first. */
export function fetchEndpointStats(params: EndpointStatsQuery, signal?: AbortSignal): Promise<EndpointStats> {
  return apiRequest<EndpointStats>(`/api/monitoring/endpoints/?${query({ ...params })}`, withSignal(signal));
}

/** A page of the error log. */
export function fetchErrorLogs(filters: ErrorFilters, signal?: AbortSignal): Promise<Paginated<ErrorLogEntry>> {
  const search = errorFiltersToParams(filters).toString();
  return apiRequest<Paginated<ErrorLogEntry>>(
    `/api/monitoring/errors/${search ? `?${search}` : ""}`,
    withSignal(signal),
  );
}

/** One error group with its traceback. */
export function fetchErrorLog(id: number, signal?: AbortSignal): Promise<ErrorLogDetail> {
  return apiRequest<ErrorLogDetail>(`/api/monitoring/errors/${id}/`, withSignal(signal));
}

/** Resolves, reopens or deletes error groups; says how many changed. */
export function bulkUpdateErrors(request: ErrorBulkRequest): Promise<ErrorBulkResult> {
  return apiRequest<ErrorBulkResult>("/api/monitoring/errors/bulk/", { method: "POST", body: request });
}

/** The push tokens (at most 100: a deployment has a handful). */
export function fetchPushTokens(signal?: AbortSignal): Promise<Paginated<PushToken>> {
  return apiRequest<Paginated<PushToken>>("/api/monitoring/push-tokens/?page_size=100", withSignal(signal));
}

export function createPushToken(name: string): Promise<CreatedPushToken> {
  return apiRequest<CreatedPushToken>("/api/monitoring/push-tokens/", { method: "POST", body: { name } });
}

export function revokePushToken(id: number): Promise<undefined> {
  return apiRequest(`/api/monitoring/push-tokens/${id}/`, { method: "DELETE" });
}
