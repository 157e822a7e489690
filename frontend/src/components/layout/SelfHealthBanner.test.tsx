import { act, screen, waitFor } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, it, vi } from "vitest";
import { page } from "../../test/fixtures";
import { renderApp } from "../../test/render";
import { admin, handlers, SELF_HEALTH_PATH, selfHealthOk, server, watchRequests } from "../../test/server";
import type { SelfHealth } from "../../types/checks";

const unwell: SelfHealth = {
  ...selfHealthOk,
  ok: false,
  problems: [
    { kind: "tick_stale", text: "No rule evaluation has completed since 12:01 UTC (more than two intervals)." },
    { kind: "no_worker", text: "No Celery worker answered." },
  ],
  workers: 0,
};

describe("SelfHealthBanner", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("shows each problem on every page, as an alert, when the monitor is not ok", async () => {
    server.use(handlers.signedInAs(admin), handlers.selfHealth(unwell), handlers.checks([]));
    const { user } = renderApp("/checks");

    const banner = await screen.findByRole("alert");
    expect(banner).toHaveTextContent("Resee itself needs attention");
    expect(banner).toHaveTextContent("No rule evaluation has completed since 12:01 UTC (more than two intervals).");
    expect(banner).toHaveTextContent("No Celery worker answered.");

    server.use(http.get("/api/alerts/silences/", () => HttpResponse.json(page([]))));
    await user.click(screen.getByRole("link", { name: "Silences" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Silences" })).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("No Celery worker answered.");
  });

  it("shows nothing when the monitor is ok, or when the server has no self-health endpoint (404)", async () => {
    server.use(handlers.signedInAs(admin), handlers.checks([]));
    renderApp("/checks");
    await screen.findByText("No check yet");
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();

    server.use(handlers.selfHealth(null));
    renderApp("/checks");
    await waitFor(() => {
      expect(screen.getAllByText("No check yet")).toHaveLength(2);
    });
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("asks every 30 s, and the banner comes and goes with the answer", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    server.use(handlers.signedInAs(admin), handlers.checks([]));
    renderApp("/checks");
    await screen.findByText("No check yet");
    const requests = watchRequests();

    server.use(handlers.selfHealth(unwell));
    await act(() => vi.advanceTimersByTimeAsync(29_000));
    expect(requests.filter((url) => url.pathname === SELF_HEALTH_PATH)).toHaveLength(0);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    await act(() => vi.advanceTimersByTimeAsync(1_500));
    expect(await screen.findByRole("alert")).toHaveTextContent("No Celery worker answered.");
    expect(requests.filter((url) => url.pathname === SELF_HEALTH_PATH)).toHaveLength(1);

    server.use(handlers.selfHealth(selfHealthOk));
    await act(() => vi.advanceTimersByTimeAsync(30_500));
    await waitFor(() => {
      expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    });
  });

  it("is not asked for before anyone is signed in", async () => {
    const requests = watchRequests();
    server.use(handlers.anonymous(), handlers.csrf());
    renderApp("/checks");
    expect(await screen.findByRole("heading", { name: /sign in/i })).toBeInTheDocument();
    expect(requests.map((url) => url.pathname)).not.toContain(SELF_HEALTH_PATH);
  });
});
