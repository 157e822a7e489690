import { screen, waitFor, within } from "@testing-library/react";
import { delay, http, HttpResponse } from "msw";
import { beforeEach, describe, expect, it } from "vitest";
import { errorDetail, errorEntry, page } from "../test/fixtures";
import { renderApp } from "../test/render";
import { admin, handlers, server, setCookie } from "../test/server";
import type { ErrorBulkRequest } from "../types/monitoring";

const TRACEBACK = `Traceback (most recent call last):
  File "/srv/backend/checkout/views.py", line 42, in post
    charge(order)
TimeoutError: upstream did not answer`;

const timeout = errorDetail({
  id: 7,
  level: "CRITICAL",
  message: "TimeoutError: upstream did not answer",
  exception_type: "TimeoutError",
  logger: "django.request",
  path: "/api/checkout/",
  method: "POST",
  user: "ops",
  occurrences: 17,
  first_seen: "2026-11-27T09:00:00Z",
  last_seen: "2026-11-27T17:28:40Z",
  traceback: TRACEBACK,
});

function fact(term: string) {
  return screen.getByText(term, { selector: "dt" }).nextElementSibling;
}

describe("ErrorDetailPage", () => {
  beforeEach(() => {
    server.use(handlers.signedInAs(admin));
    setCookie("csrftoken", "t");
  });

  it("says it is loading", async () => {
    server.use(
      http.get("/api/monitoring/errors/7/", async () => {
        await delay("infinite");
        return HttpResponse.json({});
      }),
    );

    renderApp("/errors/7");

    expect(await screen.findByText("Loading the error…")).toHaveAttribute("role", "status");
    expect(screen.getByRole("heading", { level: 1, name: "Error #7" })).toBeInTheDocument();
  });

  it("shows what happened, where and how often, and the traceback in a scrollable region", async () => {
    server.use(http.get("/api/monitoring/errors/7/", () => HttpResponse.json(timeout)));

    renderApp("/errors/7");

    expect(await screen.findByText("TimeoutError: upstream did not answer", { selector: "p" })).toBeInTheDocument();
    expect(fact("Level")).toHaveTextContent("Critical");
    expect(fact("Status")).toHaveTextContent("Open");
    expect(fact("Occurrences")).toHaveTextContent("17");
    expect(fact("First seen")?.querySelector("time")).toHaveAttribute("datetime", "2026-11-27T09:00:00Z");
    expect(fact("Last seen")?.querySelector("time")).toHaveAttribute("datetime", "2026-11-27T17:28:40Z");
    expect(fact("Path")).toHaveTextContent("/api/checkout/");
    expect(fact("Method")).toHaveTextContent("POST");
    expect(fact("User")).toHaveTextContent("ops");
    expect(fact("Logger")).toHaveTextContent("django.request");
    expect(fact("Exception")).toHaveTextContent("TimeoutError");
    const traceback = screen.getByRole("region", { name: "Traceback" });
    expect(traceback.tagName).toBe("PRE");
    expect(traceback).toHaveAttribute("tabindex", "0");
    expect(traceback.textContent).toBe(TRACEBACK);
    expect(document.title).toBe("Error #7 · Resee Alerts");
  });

  it("says when there is no traceback and no request", async () => {
    server.use(http.get("/api/monitoring/errors/3/", () => HttpResponse.json(errorDetail({ id: 3 }))));

    renderApp("/errors/3");

    expect(await screen.findByText("No traceback: this error was logged without an exception.")).toBeInTheDocument();
    expect(fact("Path")).toHaveTextContent("none");
    expect(fact("User")).toHaveTextContent("none");
  });

  it("says when the error does not exist", async () => {
    server.use(
      http.get("/api/monitoring/errors/99/", () => HttpResponse.json({ detail: "No ErrorLog matches the given query." }, { status: 404 })),
    );

    renderApp("/errors/99");

    expect(await screen.findByRole("alert")).toHaveTextContent("There is no error #99");
  });

  it("shows other failures with a way to try again", async () => {
    server.use(
      http.get("/api/monitoring/errors/7/", () => HttpResponse.text("Bad Gateway", { status: 502 }), { once: true }),
      http.get("/api/monitoring/errors/7/", () => HttpResponse.json(timeout)),
    );
    const { user } = renderApp("/errors/7");

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Could not load the error");
    await user.click(within(alert).getByRole("button", { name: "Try again" }));

    expect(await screen.findByRole("region", { name: "Traceback" })).toBeInTheDocument();
  });

  it("resolves and reopens the error, with progress and outcome", async () => {
    let resolved = false;
    const posted: ErrorBulkRequest[] = [];
    server.use(
      http.get("/api/monitoring/errors/7/", () =>
        HttpResponse.json({ ...timeout, resolved, resolved_at: resolved ? "2026-11-27T17:30:00Z" : null }),
      ),
      http.post("/api/monitoring/errors/bulk/", async ({ request }) => {
        const body = (await request.json()) as ErrorBulkRequest;
        posted.push(body);
        await delay(30);
        resolved = body.action === "resolve";
        return HttpResponse.json({ changed: 1 });
      }),
    );
    const { user } = renderApp("/errors/7");

    await user.click(await screen.findByRole("button", { name: "Resolve" }));
    expect(await screen.findByRole("button", { name: "Resolving…" })).toHaveAttribute("aria-busy", "true");
    expect(await screen.findByText("Resolved this error group.")).toBeInTheDocument();
    await waitFor(() => {
      expect(fact("Status")).toHaveTextContent("Resolved");
    });

    await user.click(screen.getByRole("button", { name: "Reopen" }));
    expect(await screen.findByText("Reopened this error group.")).toBeInTheDocument();
    expect(posted).toEqual([
      { ids: [7], action: "resolve" },
      { ids: [7], action: "unresolve" },
    ]);
  });

  it("deletes after confirmation and returns to the list it came from", async () => {
    let deleted = false;
    server.use(
      http.get("/api/monitoring/errors/", () =>
        HttpResponse.json(page(deleted ? [] : [errorEntry({ id: 7, message: "TimeoutError: upstream did not answer" })])),
      ),
      http.get("/api/monitoring/errors/7/", () => HttpResponse.json(timeout)),
      http.post("/api/monitoring/errors/bulk/", () => {
        deleted = true;
        return HttpResponse.json({ changed: 1 });
      }),
    );
    const { user } = renderApp("/errors?level=CRITICAL");
    await user.click(await screen.findByRole("link", { name: "TimeoutError: upstream did not answer" }));
    await screen.findByRole("region", { name: "Traceback" });
    expect(screen.getByRole("link", { name: "Error logs", current: false })).toHaveAttribute(
      "href",
      "/errors?level=CRITICAL",
    );

    await user.click(screen.getByRole("button", { name: "Delete…" }));
    const dialog = screen.getByRole("dialog", { name: "Delete error #7?" });
    await user.click(within(dialog).getByRole("button", { name: "Delete this error group" }));

    expect(await screen.findByText("Deleted error #7.")).toBeInTheDocument();
    expect(screen.getByTestId("location")).toHaveTextContent(/^\/errors\?level=CRITICAL$/);
    expect(await screen.findByText("No errors match these filters.")).toBeInTheDocument();
  });
});
