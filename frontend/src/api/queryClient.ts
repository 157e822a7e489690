import { QueryClient, type DefaultOptions } from "@tanstack/react-query";
import { ApiError } from "./client";

const MAX_RETRIES = 2;

/** A client error (4xx) will be the same on the next try; a network failure or 5xx may not. */
function shouldRetry(failureCount: number, error: Error): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) {
    return false;
  }
  return failureCount < MAX_RETRIES;
}

export function createQueryClient(overrides: DefaultOptions = {}): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: shouldRetry, staleTime: 10_000, ...overrides.queries },
      mutations: { retry: false, ...overrides.mutations },
    },
  });
}
