import type { HealthReport } from "../types/monitoring";
import { apiRequest } from "./client";

/** The health probe; a 503 carries the same report, naming the check that failed. */
export function fetchHealth(signal?: AbortSignal): Promise<HealthReport> {
  return apiRequest<HealthReport>("/health/", { ...(signal ? { signal } : {}), acceptStatuses: [503] });
}
