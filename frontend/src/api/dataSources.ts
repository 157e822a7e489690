/** Prometheus-compatible data sources (`/api/monitoring/data-sources/`), which promql rules query. */
import type { components } from "../types/api.gen";
import type { Paginated } from "../types/monitoring";
import { apiRequest } from "./client";

export type DataSource = components["schemas"]["DataSource"];

export function fetchDataSources(signal?: AbortSignal): Promise<Paginated<DataSource>> {
  return apiRequest("/api/monitoring/data-sources/?page_size=100", signal ? { signal } : {});
}
