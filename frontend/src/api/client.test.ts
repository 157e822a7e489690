import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, it, vi } from "vitest";
import { handlers, server, setCookie } from "../test/server";
import { ApiError, apiRequest, setUnauthorizedHandler } from "./client";

function catchError(promise: Promise<unknown>): Promise<ApiError> {
  return promise.then(
    () => {
      throw new Error("expected the request to fail");
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(ApiError);
      return error as ApiError;
    },
  );
}

describe("CSRF", () => {
  it("sends the csrftoken cookie as X-CSRFToken on unsafe methods", async () => {
    setCookie("csrftoken", "from-cookie");
    const seen: (string | null)[] = [];
    server.use(
      http.post("/api/things/", ({ request }) => {
        seen.push(request.headers.get("X-CSRFToken"));
        return HttpResponse.json({ ok: true }, { status: 201 });
      }),
      http.delete("/api/things/1/", ({ request }) => {
        seen.push(request.headers.get("X-CSRFToken"));
        return new HttpResponse(null, { status: 204 });
      }),
    );

    await expect(apiRequest("/api/things/", { method: "POST", body: { name: "x" } })).resolves.toEqual({ ok: true });
    await expect(apiRequest("/api/things/1/", { method: "DELETE" })).resolves.toBeUndefined();

    expect(seen).toEqual(["from-cookie", "from-cookie"]);
  });

  it("asks /api/auth/csrf/ first when there is no cookie, once for concurrent requests", async () => {
    let csrfCalls = 0;
    const seen: (string | null)[] = [];
    server.use(
      http.get("/api/auth/csrf/", () => {
        csrfCalls += 1;
        return HttpResponse.json({ csrfToken: "fresh-token" });
      }),
      http.post("/api/things/", ({ request }) => {
        seen.push(request.headers.get("X-CSRFToken"));
        return HttpResponse.json({});
      }),
    );

    await Promise.all([
      apiRequest("/api/things/", { method: "POST", body: {} }),
      apiRequest("/api/things/", { method: "POST", body: {} }),
    ]);

    expect(csrfCalls).toBe(1);
    expect(seen).toEqual(["fresh-token", "fresh-token"]);
  });

  it("sends no token and asks for none on GET", async () => {
    let header: string | null = "unset";
    server.use(
      http.get("/api/things/", ({ request }) => {
        header = request.headers.get("X-CSRFToken");
        return HttpResponse.json([]);
      }),
    );

    await apiRequest("/api/things/");

    expect(header).toBeNull();
  });

  it("sends JSON with the session cookie", async () => {
    let seen: { type: string | null; credentials: string; body: unknown } | null = null;
    setCookie("csrftoken", "t");
    server.use(
      http.post("/api/things/", async ({ request }) => {
        const body: unknown = await request.json();
        seen = { type: request.headers.get("Content-Type"), credentials: request.credentials, body };
        return HttpResponse.json({});
      }),
    );

    await apiRequest("/api/things/", { method: "POST", body: { threshold_value: 80 } });

    expect(seen).toEqual({ type: "application/json", credentials: "same-origin", body: { threshold_value: 80 } });
  });
});

describe("errors", () => {
  it("normalises DRF's field errors, nested ones by their path", async () => {
    setCookie("csrftoken", "t");
    server.use(
      http.post("/api/alerts/rules/", () =>
        HttpResponse.json(
          {
            name: ["This field is required."],
            threshold_value: ["A valid number is required.", "Must be positive."],
            channels: [{}, { target: ["Enter a valid email address."] }],
            slack: { channel: ["Must start with #."] },
          },
          { status: 400 },
        ),
      ),
    );

    const error = await catchError(apiRequest("/api/alerts/rules/", { method: "POST", body: {} }));

    expect(error.status).toBe(400);
    expect(error.fieldErrors).toEqual({
      name: ["This field is required."],
      threshold_value: ["A valid number is required.", "Must be positive."],
      "channels.1.target": ["Enter a valid email address."],
      "slack.channel": ["Must start with #."],
    });
    expect(error.nonFieldErrors).toEqual([]);
    expect(error.message).toBe("Some fields need attention.");
  });

  it("takes non_field_errors as the message", async () => {
    setCookie("csrftoken", "t");
    server.use(
      http.post("/api/auth/login/", () =>
        HttpResponse.json({ non_field_errors: ["Wrong username or password."] }, { status: 400 }),
      ),
    );

    const error = await catchError(apiRequest("/api/auth/login/", { method: "POST", body: {} }));

    expect(error.message).toBe("Wrong username or password.");
    expect(error.nonFieldErrors).toEqual(["Wrong username or password."]);
    expect(error.fieldErrors).toEqual({});
  });

  it("takes detail as the message", async () => {
    setCookie("csrftoken", "t");
    server.use(
      http.post("/api/things/", () =>
        HttpResponse.json({ detail: "CSRF Failed: CSRF token missing." }, { status: 403 }),
      ),
    );

    const error = await catchError(apiRequest("/api/things/", { method: "POST" }));

    expect(error.status).toBe(403);
    expect(error.message).toBe("CSRF Failed: CSRF token missing.");
  });

  it("explains a failure whose body is not JSON", async () => {
    server.use(
      http.get("/api/things/", () =>
        HttpResponse.text("<html>Bad Gateway</html>", { status: 502, headers: { "Content-Type": "text/html" } }),
      ),
    );

    const error = await catchError(apiRequest("/api/things/"));

    expect(error.status).toBe(502);
    expect(error.message).toBe("The server could not answer (HTTP 502). Try again in a moment.");
  });

  it("refuses a success whose body is not JSON (a page where data was expected)", async () => {
    server.use(
      http.get("/api/things/", () =>
        HttpResponse.text("<!doctype html>", { headers: { "Content-Type": "text/html" } }),
      ),
    );

    const error = await catchError(apiRequest("/api/things/"));

    expect(error.status).toBe(200);
    expect(error.message).toMatch(/not JSON/);
  });

  it("reports a server that cannot be reached as status 0", async () => {
    server.use(http.get("/api/things/", () => HttpResponse.error()));

    const error = await catchError(apiRequest("/api/things/"));

    expect(error.status).toBe(0);
    expect(error.message).toMatch(/Could not reach the server/);
  });

  it("returns the body of a status the caller accepts", async () => {
    server.use(handlers.health({ status: "unavailable", checks: { database: "ok", broker: "unavailable" } }));

    await expect(apiRequest("/health/", { acceptStatuses: [503] })).resolves.toEqual({
      status: "unavailable",
      checks: { database: "ok", broker: "unavailable" },
    });
  });
});

describe("401", () => {
  afterEach(() => {
    setUnauthorizedHandler(() => undefined)();
  });

  it("routes the user to the login page, then throws", async () => {
    const toLogin = vi.fn();
    setUnauthorizedHandler(toLogin);
    server.use(
      http.get("/api/alerts/history/", () => HttpResponse.json({ detail: "Not signed in." }, { status: 401 })),
    );

    const error = await catchError(apiRequest("/api/alerts/history/"));

    expect(toLogin).toHaveBeenCalledOnce();
    expect(error.status).toBe(401);
  });

  it("only throws when the caller handles a 401 itself", async () => {
    const toLogin = vi.fn();
    setUnauthorizedHandler(toLogin);
    server.use(handlers.anonymous());

    const error = await catchError(apiRequest("/api/auth/me/", { redirectOnUnauthorized: false }));

    expect(error.status).toBe(401);
    expect(toLogin).not.toHaveBeenCalled();
  });

  it("does not treat 403 as signed out", async () => {
    const toLogin = vi.fn();
    setUnauthorizedHandler(toLogin);
    server.use(http.get("/api/things/", () => HttpResponse.json({ detail: "No." }, { status: 403 })));

    await catchError(apiRequest("/api/things/"));

    expect(toLogin).not.toHaveBeenCalled();
  });
});

describe("paths", () => {
  it("only talks to its own origin", async () => {
    await expect(apiRequest("https://elsewhere.example/api/")).rejects.toThrow(/single "\/"/);
    await expect(apiRequest("//elsewhere.example/api/")).rejects.toThrow(/single "\/"/);
  });
});
