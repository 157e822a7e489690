import type {
  EndpointOrdering,
  EndpointStats,
  ErrorBulkRequest,
  ErrorBulkResult,
  ErrorFilters,
  ErrorLogDetail,
  ErrorLogEntry,
  MetricSeries,
  MonitoringOverview,
  Paginated,
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

/** One metric over the last `minutes`, in at most 300 buckets (a chart's line). */
export function fetchMetricSeries(name: string, minutes: number, signal?: AbortSignal): Promise<MetricSeries> {
  return apiRequest<MetricSeries>(
    `/api/monitoring/metrics/${encodeURIComponent(name)}/series/?${query({ minutes })}`,
    withSignal(signal),
  );
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
