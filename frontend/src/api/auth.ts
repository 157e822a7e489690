import type { LoginCredentials, User } from "../types/auth";
import { ApiError, apiRequest } from "./client";

/** The signed-in user, or null when nobody is signed in. */
export async function fetchCurrentUser(signal?: AbortSignal): Promise<User | null> {
  try {
    return await apiRequest<User>("/api/auth/me/", {
      ...(signal ? { signal } : {}),
      redirectOnUnauthorized: false,
    });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      return null;
    }
    throw error;
  }
}

export function login(credentials: LoginCredentials): Promise<User> {
  return apiRequest<User>("/api/auth/login/", { method: "POST", body: credentials });
}

export async function logout(): Promise<void> {
  try {
    await apiRequest<undefined>("/api/auth/logout/", { method: "POST", redirectOnUnauthorized: false });
  } catch (error) {
    // A session that has already ended is what logging out wants.
    if (!(error instanceof ApiError && error.status === 401)) {
      throw error;
    }
  }
}
