/** Checks (`/api/monitoring/checks/`) and the monitor's own health (`/api/monitoring/self-health/`). */
import type { Check, CheckInput, CheckResult, SelfHealth } from "../types/checks";
import type { Paginated } from "../types/monitoring";
import { apiRequest } from "./client";

const CHECKS = "/api/monitoring/checks/";

function withSignal(signal?: AbortSignal) {
  return signal ? { signal } : {};
}

export async function fetchChecks(signal?: AbortSignal): Promise<Check[]> {
  const answer = await apiRequest<Paginated<Check> | Check[]>(`${CHECKS}?page_size=100`, withSignal(signal));
  return Array.isArray(answer) ? answer : answer.results;
}

export function fetchCheck(id: number, signal?: AbortSignal): Promise<Check> {
  return apiRequest(`${CHECKS}${id}/`, withSignal(signal));
}

export function fetchCheckResults(id: number, limit = 200, signal?: AbortSignal): Promise<CheckResult[]> {
  return apiRequest(`${CHECKS}${id}/results/?limit=${limit}`, withSignal(signal));
}

export function createCheck(input: CheckInput & { create_rule: boolean }): Promise<Check> {
  return apiRequest(CHECKS, { method: "POST", body: input });
}

export function updateCheck(id: number, input: CheckInput): Promise<Check> {
  return apiRequest(`${CHECKS}${id}/`, { method: "PUT", body: input });
}

export function deleteCheck(id: number): Promise<undefined> {
  return apiRequest(`${CHECKS}${id}/`, { method: "DELETE" });
}

/** Runs an http or tcp check now; answers the check as it is after the run. */
export function runCheck(id: number): Promise<Check> {
  return apiRequest(`${CHECKS}${id}/run/`, { method: "POST" });
}

export function fetchSelfHealth(signal?: AbortSignal): Promise<SelfHealth> {
  return apiRequest("/api/monitoring/self-health/", withSignal(signal));
}
