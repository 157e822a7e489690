/** Silences and maintenance windows (`/api/alerts/silences/`, `/api/alerts/maintenance-windows/`), and
 * an alert's timeline. */
import type {
  AlertTimeline,
  LabelMatcher,
  MaintenanceWindow,
  MaintenanceWindowInput,
  Silence,
  SilenceExtendRequest,
  SilenceInput,
  SilencePreview,
  SilenceState,
} from "../types/alerts";
import type { Paginated } from "../types/monitoring";
import { apiRequest } from "./client";

const ALL = "page_size=200";

function withSignal(signal?: AbortSignal) {
  return signal ? { signal } : {};
}

/** Newest start first; one state, or every silence. */
export function fetchSilences(state: SilenceState | undefined, signal?: AbortSignal): Promise<Paginated<Silence>> {
  const query = state ? `${ALL}&state=${state}` : ALL;
  return apiRequest(`/api/alerts/silences/?${query}`, withSignal(signal));
}

/** A 400 names each refused field (`matchers.0.value`, `ends_at`, `comment`). */
export function createSilence(input: SilenceInput): Promise<Silence> {
  return apiRequest("/api/alerts/silences/", { method: "POST", body: input });
}

/** Its end becomes now; a 409 when it has expired already. */
export function expireSilence(id: number): Promise<Silence> {
  return apiRequest(`/api/alerts/silences/${id}/expire/`, { method: "POST" });
}

/** A later end; a 409 when it has expired. */
export function extendSilence(id: number, request: SilenceExtendRequest): Promise<Silence> {
  return apiRequest(`/api/alerts/silences/${id}/extend/`, { method: "POST", body: request });
}

export function deleteSilence(id: number): Promise<undefined> {
  return apiRequest(`/api/alerts/silences/${id}/`, { method: "DELETE" });
}

/** The open alerts the matchers would hold now; changes nothing. */
export function previewSilence(matchers: readonly LabelMatcher[], signal?: AbortSignal): Promise<SilencePreview> {
  return apiRequest("/api/alerts/silences/preview/", { method: "POST", body: { matchers }, ...withSignal(signal) });
}

export function fetchMaintenanceWindows(signal?: AbortSignal): Promise<Paginated<MaintenanceWindow>> {
  return apiRequest(`/api/alerts/maintenance-windows/?${ALL}`, withSignal(signal));
}

export function createMaintenanceWindow(input: MaintenanceWindowInput): Promise<MaintenanceWindow> {
  return apiRequest("/api/alerts/maintenance-windows/", { method: "POST", body: input });
}

export function updateMaintenanceWindow(id: number, input: MaintenanceWindowInput): Promise<MaintenanceWindow> {
  return apiRequest(`/api/alerts/maintenance-windows/${id}/`, { method: "PUT", body: input });
}

export function deleteMaintenanceWindow(id: number): Promise<undefined> {
  return apiRequest(`/api/alerts/maintenance-windows/${id}/`, { method: "DELETE" });
}

/** What happened to an alert, oldest first. */
export function fetchAlertTimeline(id: number, signal?: AbortSignal): Promise<AlertTimeline> {
  return apiRequest(`/api/alerts/history/${id}/timeline/`, withSignal(signal));
}
