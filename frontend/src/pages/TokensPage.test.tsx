import { screen, waitFor, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { page } from "../test/fixtures";
import { renderApp } from "../test/render";
import { handlers, server, viewer } from "../test/server";
import type { ApiToken } from "../types/tokens";
import { expiresAt } from "./TokensPage";

function token(overrides: Partial<ApiToken> = {}): ApiToken {
  return {
    id: 1,
    name: "nightly report",
    hint: "rst_AbCdEf",
    scope: "read",
    created_at: "2026-12-01T10:00:00Z",
    expires_at: "2027-03-01T10:00:00Z",
    last_used_at: "2026-12-07T09:30:00Z",
    last_used_address: "192.0.2.14",
    revoked_at: null,
    ...overrides,
  };
}

function rows(): HTMLElement[] {
  const table = within(screen.getByRole("region", { name: "Your tokens" })).getByRole("table", { name: "API tokens" });
  return within(table).getAllByRole("row").slice(1);
}

describe("TokensPage", () => {
  it("is in the navigation and lists the tokens with scope, expiry and last use, never a key", async () => {
    server.use(
      handlers.signedInAs(viewer),
      ...handlers.dashboard(),
      http.get("/api/auth/tokens/", () =>
        HttpResponse.json(
          page([
            token(),
            token({ id: 2, name: "old script", hint: "0123", scope: "write", expires_at: null, last_used_at: null,
                    last_used_address: null, revoked_at: "2026-12-05T08:00:00Z" }),
          ]),
        ),
      ),
    );
    const { user } = renderApp("/dashboard");

    await user.click(within(await screen.findByRole("navigation", { name: "Main" })).getByRole("link", { name: "Tokens" }));
    expect(await screen.findByRole("heading", { level: 1, name: "API tokens" })).toBeInTheDocument();
    await waitFor(() => {
      expect(rows()).toHaveLength(2);
    });
    const [active, revoked] = rows() as [HTMLElement, HTMLElement];
    expect(active).toHaveTextContent("nightly report");
    expect(active).toHaveTextContent("rst_AbCdEf…");
    expect(active).toHaveTextContent("read");
    expect(active).toHaveTextContent("from 192.0.2.14");
    expect(active).toHaveTextContent("Active");
    expect(within(active).getByRole("button", { name: "Revoke nightly report" })).toBeInTheDocument();
    expect(revoked).toHaveTextContent("never");
    expect(revoked).toHaveTextContent("Revoked");
    expect(within(revoked).queryByRole("button")).not.toBeInTheDocument();
  });

  it("creates a token, shows its key once with a copy button, and says field errors beside their fields", async () => {
    const tokens: ApiToken[] = [];
    const sent: unknown[] = [];
    server.use(
      handlers.signedInAs(viewer),
      handlers.csrf(),
      http.get("/api/auth/tokens/", () => HttpResponse.json(page(tokens))),
      http.post("/api/auth/tokens/", async ({ request }) => {
        const body = (await request.json()) as { name: string; scope: ApiToken["scope"]; expires_at: string | null };
        sent.push(body);
        if (!body.name) return HttpResponse.json({ name: ["This field may not be blank."] }, { status: 400 });
        const made = token({ id: 7, name: body.name, scope: body.scope, expires_at: body.expires_at, last_used_at: null,
                             last_used_address: null });
        tokens.push(made);
        return HttpResponse.json({ ...made, token: "rst_AbCdEf-the-whole-key" }, { status: 201 });
      }),
    );
    const { user } = renderApp("/tokens");
    const form = await screen.findByRole("form", { name: "New API token" });
    expect(await screen.findByText("No API token yet")).toBeInTheDocument();

    await user.click(within(form).getByRole("button", { name: "Create token" }));
    expect(await within(form).findByText("This field may not be blank.")).toBeInTheDocument();
    expect(within(form).getByLabelText(/^Name/)).toHaveAttribute("aria-invalid", "true");

    await user.type(within(form).getByLabelText(/^Name/), "grafana");
    await user.selectOptions(within(form).getByLabelText("Expires"), "never");
    await user.click(within(form).getByRole("button", { name: "Create token" }));

    const shown = await screen.findByRole("status", { name: "New token" });
    expect(shown).toHaveTextContent("you will not see it again");
    expect(within(shown).getByText("rst_AbCdEf-the-whole-key")).toBeInTheDocument();
    expect(within(shown).getByRole("button", { name: "Copy the new key" })).toBeInTheDocument();
    expect(sent.at(-1)).toEqual({ name: "grafana", scope: "read", expires_at: null });
    await waitFor(() => {
      expect(rows()).toHaveLength(1);
    });

    await user.click(within(shown).getByRole("button", { name: "Done" }));
    expect(screen.queryByText("rst_AbCdEf-the-whole-key")).not.toBeInTheDocument();
  });

  it("revokes a token after a confirmation", async () => {
    let tokens = [token()];
    const revoked: string[] = [];
    server.use(
      handlers.signedInAs(viewer),
      handlers.csrf(),
      http.get("/api/auth/tokens/", () => HttpResponse.json(page(tokens))),
      http.delete("/api/auth/tokens/:id/", ({ params }) => {
        revoked.push(String(params.id));
        tokens = [token({ revoked_at: "2026-12-07T10:00:00Z" })];
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const { user } = renderApp("/tokens");

    await user.click(await screen.findByRole("button", { name: "Revoke nightly report" }));
    const dialog = await screen.findByRole("dialog", { name: "Revoke nightly report?" });
    await user.click(within(dialog).getByRole("button", { name: "Revoke" }));

    expect(await screen.findByText(/Token nightly report revoked/)).toBeInTheDocument();
    expect(revoked).toEqual(["1"]);
    await waitFor(() => {
      expect(rows()[0]).toHaveTextContent("Revoked");
    });
  });
});

describe("expiresAt", () => {
  it("is none, some days ahead, or the end of the chosen day", () => {
    const now = new Date("2026-12-07T12:00:00Z");
    expect(expiresAt("never", "", now)).toBeNull();
    expect(expiresAt("30", "", now)).toBe("2027-01-06T12:00:00.000Z");
    expect(expiresAt("date", "2027-01-31", now)).toBe(new Date("2027-01-31T23:59:59").toISOString());
    expect(expiresAt("date", "", now)).toBe("");
  });
});
