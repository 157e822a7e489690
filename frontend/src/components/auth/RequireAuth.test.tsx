import { screen, waitFor } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { apiRequest } from "../../api/client";
import { catalogue, page } from "../../test/fixtures";
import { renderApp } from "../../test/render";
import { admin, handlers, server } from "../../test/server";

describe("RequireAuth", () => {
  it("sends an anonymous visitor to the login page, remembering the page", async () => {
    server.use(handlers.anonymous());

    renderApp("/dashboard?range=1h");

    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(screen.getByTestId("location")).toHaveTextContent("/login?next=%2Fdashboard%3Frange%3D1h");
  });

  it("returns to the login page on a 401 from any API call, remembering the page", async () => {
    server.use(handlers.signedInAs(admin), ...handlers.dashboard());
    renderApp("/dashboard?range=1h");
    expect(await screen.findByRole("heading", { level: 1, name: "Dashboard" })).toBeInTheDocument();

    server.use(http.get("/api/alerts/rules/", () => HttpResponse.json({ detail: "Expired." }, { status: 401 })));
    await expect(apiRequest("/api/alerts/rules/")).rejects.toThrow("Expired.");

    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(screen.getByTestId("location")).toHaveTextContent("/login?next=%2Fdashboard%3Frange%3D1h");
  });

  it("does not send the user to log in when the server is down", async () => {
    server.use(http.get("/api/auth/me/", () => HttpResponse.text("Bad Gateway", { status: 502 })));

    renderApp("/dashboard");

    expect(await screen.findByRole("alert")).toHaveTextContent("The server could not answer (HTTP 502)");
    expect(screen.getByTestId("location")).toHaveTextContent("/dashboard");
  });

  it("shows the shell with a link per existing section and a skip link", async () => {
    server.use(handlers.signedInAs(admin), ...handlers.dashboard());

    const { user } = renderApp("/dashboard");

    const nav = await screen.findByRole("navigation", { name: "Main" });
    const links = Array.from(nav.querySelectorAll("a")).map((link) => link.textContent);
    expect(links).toEqual(["Dashboard", "Alerts", "Rules", "Statistics", "Integrations", "Policies", "Silences", "Maintenance", "Checks", "Error logs", "Tokens", "Audit"]);
    expect(screen.getByRole("link", { name: "Dashboard" })).toHaveAttribute("aria-current", "page");
    expect(screen.getByRole("main")).toHaveAttribute("id", "main");
    await user.tab();
    expect(screen.getByRole("link", { name: "Skip to main content" })).toHaveFocus();
  });

  it("has a menu button for phones that opens the sections, and closes on navigation and on Escape", async () => {
    server.use(
      handlers.signedInAs(admin),
      ...handlers.dashboard(),
      http.get("/api/alerts/history/", () => HttpResponse.json(page([]))),
      http.get("/api/alerts/rules/", () => HttpResponse.json(page([]))),
      http.get("/api/alerts/metrics/", () => HttpResponse.json(catalogue())),
    );

    const { user } = renderApp("/dashboard");

    const button = await screen.findByRole("button", { name: "Menu" });
    expect(button).toHaveAttribute("aria-expanded", "false");
    const menu = document.getElementById(button.getAttribute("aria-controls") ?? "");
    expect(menu).toContainElement(screen.getByRole("navigation", { name: "Main" }));
    expect(menu).not.toHaveClass("is-open");

    await user.click(button);
    expect(button).toHaveAttribute("aria-expanded", "true");
    expect(menu).toHaveClass("is-open");
    await user.keyboard("{Escape}");
    expect(button).toHaveAttribute("aria-expanded", "false");
    expect(button).toHaveFocus();

    await user.click(button);
    await user.click(screen.getByRole("link", { name: "Alerts" }));
    await waitFor(() => {
      expect(screen.getByTestId("location")).toHaveTextContent("/alerts");
    });
    expect(button).toHaveAttribute("aria-expanded", "false");
    expect(menu).not.toHaveClass("is-open");
  });

  it("shows a page-not-found inside the shell for an unknown route", async () => {
    server.use(handlers.signedInAs(admin));

    renderApp("/no/such/page");

    expect(await screen.findByRole("heading", { level: 1, name: "Page not found" })).toBeInTheDocument();
    expect(screen.getByRole("main")).toHaveTextContent("/no/such/page");
  });

  it("signs out and returns to the login page", async () => {
    let loggedOut = false;
    server.use(
      handlers.signedInAs(admin),
      ...handlers.dashboard(),
      handlers.csrf(),
      http.post("/api/auth/logout/", () => {
        loggedOut = true;
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const { user } = renderApp("/dashboard");

    await user.click(await screen.findByRole("button", { name: "Sign out" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(loggedOut).toBe(true);
    await waitFor(() => {
      expect(screen.getByTestId("location")).toHaveTextContent(/^\/login$/);
    });
  });
});
