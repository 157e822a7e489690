import { screen, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { page } from "../../test/fixtures";
import { renderComponent } from "../../test/render";
import { handlers, server, viewer } from "../../test/server";
import type { PushToken } from "../../types/monitoring";
import { exporterEnvironment, PushTokens } from "./PushTokens";

function token(overrides: Partial<PushToken> = {}): PushToken {
  return {
    id: 1,
    name: "checkout",
    hint: "rpt_AbCdEf",
    created_by: "admin",
    created_at: "2026-12-03T10:00:00Z",
    last_used_at: null,
    ...overrides,
  };
}

function panel() {
  return screen.getByRole("region", { name: "OpenTelemetry" });
}

describe("PushTokens", () => {
  it("creates a token and shows it once, in the environment an exporter needs", async () => {
    const tokens = [token()];
    const created: unknown[] = [];
    server.use(
      handlers.csrf(),
      http.get("/api/monitoring/push-tokens/", () => HttpResponse.json(page(tokens))),
      http.post("/api/monitoring/push-tokens/", async ({ request }) => {
        const body = (await request.json()) as { name: string };
        created.push(body);
        const made = token({ id: 2, name: body.name, hint: "rpt_XyZ123" });
        tokens.push(made);
        return HttpResponse.json({ ...made, token: "rpt_XyZ123-the-whole-secret" }, { status: 201 });
      }),
    );
    const { user } = renderComponent(<PushTokens />);

    const table = await within(panel()).findByRole("table", { name: "Push tokens" });
    expect(within(table).getAllByRole("row")[1]).toHaveTextContent("checkoutrpt_AbCdEf…");
    expect(table).toHaveTextContent("never");

    await user.type(within(panel()).getByLabelText("Name"), "  billing ");
    await user.click(within(panel()).getByRole("button", { name: "Create token" }));

    const shown = await within(panel()).findByRole("status");
    expect(shown).toHaveTextContent("Copy it now: it is shown this once");
    expect(within(shown).getByLabelText("The exporter's environment")).toHaveTextContent(
      "OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20rpt_XyZ123-the-whole-secret",
    );
    expect(created).toEqual([{ name: "billing" }]);
    expect(await within(panel()).findByRole("rowheader", { name: "billing" })).toBeInTheDocument();

    await user.click(within(shown).getByRole("button", { name: "Done" }));
    expect(within(panel()).queryByRole("status")).not.toBeInTheDocument();
    expect(panel()).not.toHaveTextContent("the-whole-secret");
  });

  it("says what is wrong with a name, beside it", async () => {
    server.use(
      handlers.csrf(),
      handlers.pushTokens(),
      http.post("/api/monitoring/push-tokens/", () =>
        HttpResponse.json({ name: ["This field may not be blank."] }, { status: 400 }),
      ),
    );
    const { user } = renderComponent(<PushTokens />);
    await within(panel()).findByText("No push tokens yet.");

    await user.click(within(panel()).getByRole("button", { name: "Create token" }));

    const name = within(panel()).getByLabelText("Name");
    expect(await within(panel()).findByText("This field may not be blank.")).toBeInTheDocument();
    expect(name).toHaveAttribute("aria-invalid", "true");
  });

  it("revokes a token after a confirmation", async () => {
    let tokens = [token(), token({ id: 7, name: "node-exporter", hint: "rpt_Node00" })];
    const revoked: string[] = [];
    server.use(
      handlers.csrf(),
      http.get("/api/monitoring/push-tokens/", () => HttpResponse.json(page(tokens))),
      http.delete("/api/monitoring/push-tokens/:id/", ({ params }) => {
        revoked.push(String(params.id));
        tokens = tokens.filter((t) => String(t.id) !== params.id);
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const { user } = renderComponent(<PushTokens />);
    await within(panel()).findByRole("table", { name: "Push tokens" });

    await user.click(within(panel()).getByRole("button", { name: "Revoke node-exporter" }));
    expect(revoked).toEqual([]);
    expect(panel()).toHaveTextContent("Exporters using it get 401.");
    await user.click(within(panel()).getByRole("button", { name: "Revoke node-exporter" }));

    await within(panel()).findByText("checkout");
    expect(revoked).toEqual(["7"]);
    expect(within(panel()).queryByText("node-exporter")).not.toBeInTheDocument();
  });

  it("shows a viewer the tokens without the means to create or revoke them", async () => {
    server.use(handlers.pushTokens([token()]));
    renderComponent(<PushTokens />, "/", viewer);

    await within(panel()).findByRole("table", { name: "Push tokens" });
    expect(within(panel()).queryByRole("button", { name: "Create token" })).not.toBeInTheDocument();
    expect(within(panel()).queryByRole("button", { name: /Revoke/ })).not.toBeInTheDocument();
  });

  it("writes the exporter's environment for this server", () => {
    expect(exporterEnvironment("rpt_x", "https://resee.example.com")).toBe(
      [
        "OTEL_EXPORTER_OTLP_ENDPOINT=https://resee.example.com/otlp",
        "OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20rpt_x",
        "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
      ].join("\n"),
    );
  });
});
