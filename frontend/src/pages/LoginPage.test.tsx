import { screen, waitFor } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { beforeEach, describe, expect, it } from "vitest";
import { renderApp } from "../test/render";
import { admin, handlers, server } from "../test/server";

describe("LoginPage", () => {
  beforeEach(() => {
    server.use(handlers.anonymous(), handlers.csrf(), ...handlers.dashboard());
  });

  it("has labelled fields and starts in the user name", async () => {
    renderApp("/login");

    const username = await screen.findByLabelText("User name");
    expect(username).toHaveFocus();
    expect(screen.getByLabelText("Password")).toHaveAttribute("type", "password");
    expect(screen.getByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(document.title).toBe("Sign in · Resee Alerts");
  });

  it("shows the server's message for each field next to it", async () => {
    server.use(
      http.post("/api/auth/login/", () =>
        HttpResponse.json(
          { username: ["This field may not be blank."], password: ["This field may not be blank."] },
          { status: 400 },
        ),
      ),
    );
    const { user } = renderApp("/login");

    await user.click(await screen.findByRole("button", { name: "Sign in" }));

    const username = screen.getByLabelText("User name");
    const password = screen.getByLabelText("Password");
    await waitFor(() => {
      expect(username).toHaveAttribute("aria-invalid", "true");
    });
    expect(username).toHaveAccessibleDescription("This field may not be blank.");
    expect(password).toHaveAttribute("aria-invalid", "true");
    expect(password).toHaveAccessibleDescription("This field may not be blank.");
    expect(username).toHaveFocus();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("says so when the password is wrong, and puts focus on the password", async () => {
    server.use(
      http.post("/api/auth/login/", () =>
        HttpResponse.json({ non_field_errors: ["Wrong username or password."] }, { status: 400 }),
      ),
    );
    const { user } = renderApp("/login");

    await user.type(await screen.findByLabelText("User name"), "admin");
    await user.type(screen.getByLabelText("Password"), "not-it");
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong username or password.");
    expect(screen.getByLabelText("Password")).toHaveFocus();
    expect(screen.getByTestId("location")).toHaveTextContent("/login");
  });

  it("signs in with the CSRF token and goes where the user was going", async () => {
    let sent: { body: unknown; csrf: string | null } | null = null;
    server.use(
      http.post("/api/auth/login/", async ({ request }) => {
        sent = { body: await request.json(), csrf: request.headers.get("X-CSRFToken") };
        return HttpResponse.json(admin);
      }),
    );
    const { user } = renderApp("/login?next=%2Fdashboard%3Frange%3D1h");

    await user.type(await screen.findByLabelText("User name"), "admin");
    await user.type(screen.getByLabelText("Password"), "correct horse");
    await user.keyboard("{Enter}");

    expect(await screen.findByRole("heading", { level: 1, name: "Dashboard" })).toBeInTheDocument();
    expect(screen.getByTestId("location")).toHaveTextContent("/dashboard?range=1h");
    expect(sent).toEqual({ body: { username: "admin", password: "correct horse" }, csrf: "csrf-from-endpoint" });
    expect(screen.getByRole("banner")).toHaveTextContent("admin");
  });

  it("never follows a next parameter to another site", async () => {
    server.use(http.post("/api/auth/login/", () => HttpResponse.json(admin)));
    const { user } = renderApp("/login?next=%2F%2Fevil.example%2Fphish");

    await user.type(await screen.findByLabelText("User name"), "admin");
    await user.type(screen.getByLabelText("Password"), "pw");
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    await waitFor(() => {
      expect(screen.getByTestId("location")).toHaveTextContent(/^\/dashboard$/);
    });
  });

  it("shows a failure to reach the server as a message", async () => {
    server.use(http.post("/api/auth/login/", () => HttpResponse.error()));
    const { user } = renderApp("/login");

    await user.type(await screen.findByLabelText("User name"), "admin");
    await user.type(screen.getByLabelText("Password"), "pw");
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByRole("alert")).toHaveTextContent(/Could not reach the server/);
  });

  it("sends a signed-in user on at once", async () => {
    server.use(handlers.signedInAs(admin));

    renderApp("/login?next=%2Fdashboard");

    expect(await screen.findByRole("heading", { level: 1, name: "Dashboard" })).toBeInTheDocument();
  });
});
