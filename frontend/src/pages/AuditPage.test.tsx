import { screen, waitFor, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { page } from "../test/fixtures";
import { renderApp } from "../test/render";
import { admin, handlers, server, viewer } from "../test/server";

const entry = {
  id: 7,
  when: "2026-11-27T16:00:00Z",
  object_type: "alertrule",
  object_id: "3",
  object_name: "High CPU Usage",
  action: "update",
  user_name: "oncall",
  token_name: "deploy",
  source: "api",
  address: "10.0.0.7",
  version: 2,
  changes: { threshold_value: [80, 90], secrets: ["(secret)", "(secret)"] },
};

describe("AuditPage", () => {
  it("lists the changes with who, from where and the diff, and filters by source in the address", async () => {
    const asked: string[] = [];
    server.use(
      handlers.signedInAs(admin),
      http.get("/api/audit/", ({ request }) => {
        asked.push(new URL(request.url).search);
        return HttpResponse.json(page([entry]));
      }),
    );
    const { user } = renderApp("/audit");

    const table = await screen.findByRole("table", { name: "Configuration changes, newest first" });
    const row = within(table).getAllByRole("row")[1];
    expect(row).toHaveTextContent("High CPU Usage (alertrule #3)");
    expect(row).toHaveTextContent("oncall (token “deploy”)");
    expect(row).toHaveTextContent("api · 10.0.0.7");
    expect(row).toHaveTextContent("threshold_value: 80 → 90");
    expect(row).toHaveTextContent("secrets: (secret) → (secret)");

    await user.selectOptions(screen.getByLabelText("Source"), "dashboard");
    await waitFor(() => {
      expect(asked.at(-1)).toContain("source=dashboard");
    });
    expect(screen.getByTestId("location")).toHaveTextContent("/audit?source=dashboard");
  });

  it("is in the navigation for those who may read the trail only", async () => {
    server.use(handlers.signedInAs(viewer), ...handlers.dashboard());

    renderApp("/dashboard");

    const nav = await screen.findByRole("navigation", { name: "Main" });
    expect(within(nav).queryByRole("link", { name: "Audit" })).not.toBeInTheDocument();
    expect(within(nav).getByRole("link", { name: "Tokens" })).toBeInTheDocument();
  });
});
