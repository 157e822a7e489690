/**
 * The one HTTP client of the dashboard. It talks to the same origin that served the page, with
 * the browser's session cookie, sends Django's CSRF token on unsafe methods, turns every failure
 * into an `ApiError`, and sends the user to the login page on any 401.
 */
import { loginPathFor } from "../routes/paths";
import type { CsrfTokenResponse } from "../types/auth";

export type FieldErrors = Readonly<Record<string, readonly string[]>>;

export class ApiError extends Error {
  override readonly name = "ApiError";

  constructor(
    message: string,
    /** The HTTP status; 0 when the server could not be reached at all. */
    readonly status: number,
    /** DRF's messages per field; a nested field is named by its path, e.g. `rules.1.threshold`. */
    readonly fieldErrors: FieldErrors = {},
    /** Messages about the request as a whole (DRF's `non_field_errors`). */
    readonly nonFieldErrors: readonly string[] = [],
    /** For a 429: the seconds the server asks to wait (its `Retry-After`), when it said. */
    readonly retryAfterSeconds: number | null = null,
    /** The answer's JSON as it came, for what an endpoint adds to an error (a 409's `alert_id`). */
    readonly payload: unknown = null,
  ) {
    super(message);
  }
}

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RequestOptions {
  method?: HttpMethod;
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal;
  /** Statuses besides 2xx whose JSON body is an answer rather than an error (503 from /health/). */
  acceptStatuses?: readonly number[];
  /** false: a 401 is only thrown, for callers that ask whether anyone is signed in at all. */
  redirectOnUnauthorized?: boolean;
}

export const CSRF_COOKIE_NAME = "csrftoken";
export const CSRF_HEADER_NAME = "X-CSRFToken";
const CSRF_PATH = "/api/auth/csrf/";
const SAFE_METHODS: ReadonlySet<HttpMethod> = new Set(["GET"]);

type UnauthorizedHandler = () => void;

function redirectToLogin(): void {
  const { pathname, search, hash } = window.location;
  window.location.assign(loginPathFor(pathname + search + hash));
}

let unauthorizedHandler: UnauthorizedHandler = redirectToLogin;

/**
 * What happens on a 401: by default a full page load of the login page; the app registers a
 * handler that does it within the router. Returns a function that restores the default.
 */
export function setUnauthorizedHandler(handler: UnauthorizedHandler): () => void {
  unauthorizedHandler = handler;
  return () => {
    if (unauthorizedHandler === handler) {
      unauthorizedHandler = redirectToLogin;
    }
  };
}

export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const url = sameOriginUrl(path);
  const method = options.method ?? "GET";
  const headers = new Headers({ Accept: "application/json" });
  const init: RequestInit = { method, headers, credentials: "same-origin" };
  if (options.signal) {
    init.signal = options.signal;
  }
  if (options.body !== undefined) {
    headers.set("Content-Type", "application/json");
    init.body = JSON.stringify(options.body);
  }
  if (!SAFE_METHODS.has(method)) {
    headers.set(CSRF_HEADER_NAME, await csrfToken());
  }

  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") {
      throw error;
    }
    throw new ApiError("Could not reach the server. Check the connection and try again.", 0);
  }

  const payload = await readBody(response);
  if (response.ok || options.acceptStatuses?.includes(response.status)) {
    if (payload.kind === "not-json") {
      throw new ApiError("The server sent an answer that is not JSON.", response.status);
    }
    // The one place where the server's JSON is taken to be the type the caller asked for.
    return payload.value as T;
  }
  if (response.status === 401 && options.redirectOnUnauthorized !== false) {
    unauthorizedHandler();
  }
  throw toApiError(
    response.status,
    payload.kind === "json" ? payload.value : null,
    retryAfter(response.headers.get("Retry-After")),
  );
}

/** `Retry-After` in seconds (the API sends seconds, never a date). */
function retryAfter(header: string | null): number | null {
  if (header === null || !/^\d+$/.test(header.trim())) return null;
  return Number(header.trim());
}

function sameOriginUrl(path: string): URL {
  if (!path.startsWith("/") || path.startsWith("//")) {
    throw new Error(`API paths start with a single "/": ${path}`);
  }
  return new URL(path, window.location.origin);
}

type Body = { kind: "json"; value: unknown } | { kind: "empty"; value: undefined } | { kind: "not-json" };

async function readBody(response: Response): Promise<Body> {
  const text = await response.text();
  if (text === "") {
    return { kind: "empty", value: undefined };
  }
  const type = response.headers.get("Content-Type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    return { kind: "not-json" };
  }
  try {
    return { kind: "json", value: JSON.parse(text) as unknown };
  } catch {
    return { kind: "not-json" };
  }
}

// --- CSRF -----------------------------------------------------------------------------------------

let pendingToken: Promise<string> | null = null;

/** The CSRF token from its cookie, read anew each time because Django rotates it on login. */
async function csrfToken(): Promise<string> {
  const fromCookie = readCookie(CSRF_COOKIE_NAME);
  if (fromCookie) {
    return fromCookie;
  }
  // No cookie yet (first visit, or it was cleared): ask for one, once for concurrent requests.
  pendingToken ??= apiRequest<CsrfTokenResponse>(CSRF_PATH)
    .then((body) => body.csrfToken)
    .finally(() => {
      pendingToken = null;
    });
  return pendingToken;
}

function readCookie(name: string): string | null {
  for (const pair of document.cookie.split(/;\s*/)) {
    const separator = pair.indexOf("=");
    if (separator > 0 && pair.slice(0, separator) === name) {
      return decodeURIComponent(pair.slice(separator + 1));
    }
  }
  return null;
}

// --- Errors ---------------------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Collects DRF's error messages, which nest as the data does: lists of strings per field,
 * objects for nested serializers, lists of objects for lists of them. */
function collectMessages(value: unknown, path: string, into: Record<string, string[]>): void {
  if (typeof value === "string") {
    (into[path] ??= []).push(value);
  } else if (Array.isArray(value)) {
    value.forEach((item: unknown, index) => {
      collectMessages(item, typeof item === "string" ? path : `${path}.${index}`, into);
    });
  } else if (isRecord(value)) {
    for (const [key, nested] of Object.entries(value)) {
      collectMessages(nested, path ? `${path}.${key}` : key, into);
    }
  }
}

function defaultMessage(status: number): string {
  if (status === 400) return "The request was not accepted.";
  if (status === 401) return "You are not signed in.";
  if (status === 403) return "You do not have permission to do this.";
  if (status === 404) return "Not found.";
  if (status === 429) return "Too many requests. Try again in a moment.";
  if (status >= 500) return `The server could not answer (HTTP ${status}). Try again in a moment.`;
  return `The request failed (HTTP ${status}).`;
}

export function toApiError(status: number, payload: unknown, retryAfterSeconds: number | null = null): ApiError {
  const collected: Record<string, string[]> = {};
  let detail: string | null = null;
  if (isRecord(payload) && typeof payload.detail === "string") {
    detail = payload.detail;
  } else {
    // A bare list (or string) is DRF's way of saying what is wrong with the request as a whole.
    const wholeRequest = Array.isArray(payload) || typeof payload === "string";
    collectMessages(wholeRequest ? { non_field_errors: payload } : payload, "", collected);
  }
  const { non_field_errors: nonFieldErrors = [], ...fieldErrors } = collected;
  const message =
    detail ??
    nonFieldErrors[0] ??
    (Object.keys(fieldErrors).length > 0 ? "Some fields need attention." : defaultMessage(status));
  return new ApiError(message, status, fieldErrors, nonFieldErrors, retryAfterSeconds, payload);
}
