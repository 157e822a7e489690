/** The signed-in user's API tokens (`/api/auth/tokens/`). */
import type { ApiToken, ApiTokenInput, CreatedApiToken } from "../types/tokens";
import type { Paginated } from "../types/monitoring";
import { apiRequest } from "./client";

/** Newest first, revoked ones included (with `revoked_at`). */
export function fetchApiTokens(signal?: AbortSignal): Promise<Paginated<ApiToken>> {
  return apiRequest("/api/auth/tokens/?page_size=200", signal ? { signal } : {});
}

/** The answer holds the key, this once; a 400 names each refused field (`name`, `scope`, `expires_at`). */
export function createApiToken(input: ApiTokenInput): Promise<CreatedApiToken> {
  return apiRequest("/api/auth/tokens/", { method: "POST", body: input });
}

/** Requests with it are refused (401) from now on; it stays in the list as revoked. */
export function revokeApiToken(id: number): Promise<undefined> {
  return apiRequest(`/api/auth/tokens/${id}/`, { method: "DELETE" });
}
