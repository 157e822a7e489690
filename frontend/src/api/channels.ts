/** The notification channels and policies (`/api/alerts/channels/`, `/api/alerts/policies/`). */
import type {
  ChannelInput,
  ChannelKind,
  ChannelPatch,
  ChannelTestRequest,
  Delivery,
  NotificationChannel,
  NotificationPolicy,
  PolicyInput,
  PolicyPatch,
  RoutePreview,
  RoutePreviewRequest,
  TestSendResult,
} from "../types/alerts";
import type { Paginated } from "../types/monitoring";
import { apiRequest } from "./client";

/** The most the API gives on one page: the dashboard shows every channel and policy at once. */
const ALL = "page_size=200";

function withSignal(signal?: AbortSignal) {
  return signal ? { signal } : {};
}

// --- Channels -------------------------------------------------------------------------------------

export function fetchChannels(signal?: AbortSignal): Promise<Paginated<NotificationChannel>> {
  return apiRequest(`/api/alerts/channels/?${ALL}`, withSignal(signal));
}

/** Every kind's declaration: the channel form is generated from it. */
export function fetchChannelKinds(signal?: AbortSignal): Promise<ChannelKind[]> {
  return apiRequest("/api/alerts/channels/kinds/", withSignal(signal));
}

/** A 400 names each refused setting under `settings.<name>` or `secrets.<name>`; a 409, a taken name. */
export function createChannel(input: ChannelInput): Promise<NotificationChannel> {
  return apiRequest("/api/alerts/channels/", { method: "POST", body: input });
}

export function updateChannel(id: number, patch: ChannelPatch): Promise<NotificationChannel> {
  return apiRequest(`/api/alerts/channels/${id}/`, { method: "PATCH", body: patch });
}

/** A 409 for the environment's default channels. */
export function deleteChannel(id: number): Promise<undefined> {
  return apiRequest(`/api/alerts/channels/${id}/`, { method: "DELETE" });
}

/** 200 sent; otherwise an ApiError: 400 cannot send or invalid, 502 the receiver refused (its
 * answer in the message), 429 throttled. */
export function sendChannelTest(id: number, request: ChannelTestRequest): Promise<TestSendResult> {
  const body = Object.fromEntries(Object.entries(request).filter(([, value]) => value !== ""));
  return apiRequest(`/api/alerts/channels/${id}/test/`, { method: "POST", body });
}

/** The channel's 50 most recent deliveries. */
export async function fetchChannelDeliveries(id: number, signal?: AbortSignal): Promise<Delivery[]> {
  const answer = await apiRequest<{ deliveries: Delivery[] }>(`/api/alerts/channels/${id}/deliveries/`, withSignal(signal));
  return answer.deliveries;
}

// --- Policies -------------------------------------------------------------------------------------

/** In their order (position). */
export function fetchPolicies(signal?: AbortSignal): Promise<Paginated<NotificationPolicy>> {
  return apiRequest(`/api/alerts/policies/?${ALL}`, withSignal(signal));
}

/** Added at the end of the order. */
export function createPolicy(input: PolicyInput): Promise<NotificationPolicy> {
  return apiRequest("/api/alerts/policies/", { method: "POST", body: input });
}

export function updatePolicy(id: number, patch: PolicyPatch): Promise<NotificationPolicy> {
  return apiRequest(`/api/alerts/policies/${id}/`, { method: "PATCH", body: patch });
}

export function deletePolicy(id: number): Promise<undefined> {
  return apiRequest(`/api/alerts/policies/${id}/`, { method: "DELETE" });
}

/** `order` names every policy once; the answer is every policy in the new order. */
export function reorderPolicies(order: readonly number[]): Promise<NotificationPolicy[]> {
  return apiRequest("/api/alerts/policies/reorder/", { method: "POST", body: { order } });
}

/** Where an alert would go, and why; nothing is sent. */
export function previewRoutes(request: RoutePreviewRequest): Promise<RoutePreview> {
  return apiRequest("/api/alerts/policies/preview/", { method: "POST", body: request });
}
