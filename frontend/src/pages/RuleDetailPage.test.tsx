import { screen, waitFor, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { alertItem, catalogue, evaluation, page, rule } from "../test/fixtures";
import { nth, renderApp } from "../test/render";
import { admin, handlers, server, viewer } from "../test/server";
import { readerInTimeZone } from "../test/timeZone";

function common(answer = rule()) {
  return [
    handlers.csrf(),
    http.get("/api/alerts/metrics/", () => HttpResponse.json(catalogue())),
    http.get("/api/alerts/rules/1/", () => HttpResponse.json(answer)),
    http.get("/api/alerts/history/", () => HttpResponse.json(page([alertItem({ id: 4 })]))),
  ];
}

describe("RuleDetailPage", () => {
  it("shows the rule, its state, every setting and its recent alerts", async () => {
    server.use(handlers.signedInAs(admin), ...common(rule({ state: "firing", open_alert_id: 4, last_value: 91.5 })));

    renderApp("/rules/1");

    expect(await screen.findByRole("heading", { level: 1, name: "High CPU Usage" })).toBeInTheDocument();
    expect(screen.getByText("Fires when cpu_usage (avg over 5 min) is above 80%.")).toBeInTheDocument();
    const status = screen.getByRole("region", { name: "Status" });
    expect(status).toHaveTextContent("Firing");
    expect(status).toHaveTextContent("91.5%");
    expect(within(status).getByRole("link", { name: "#4" })).toHaveAttribute("href", "/alerts/4");
    const settings = screen.getByRole("region", { name: "Settings" });
    expect(settings).toHaveTextContent("#system-alerts");
    expect(settings).toHaveTextContent("ops@resee.com");
    expect(settings).toHaveTextContent("Every 60 min");
    expect(await screen.findByRole("table", { name: "Alerts of High CPU Usage" })).toBeInTheDocument();
  });

  it("shows a suppressed rule as suppressed, with what holds it back, and every time with its zone", async () => {
    readerInTimeZone("Europe/Paris");
    const reason = "Cooldown after a manual resolve: no new alert until 18:30 UTC.";
    server.use(
      handlers.signedInAs(admin),
      ...common(rule({ state: "suppressed", state_reason: reason, open_alert_id: null, state_changed_at: "2026-11-27T17:25:00Z" })),
    );

    renderApp("/rules/1");

    const status = await screen.findByRole("region", { name: "Status" });
    expect(status).toHaveTextContent("Suppressed");
    expect(status).not.toHaveTextContent("Firing");
    expect(status).toHaveTextContent(reason);
    expect(status).toHaveTextContent("none: held back by a limit");
    // 17:25 UTC is 18:25 in Paris; the zone is named wherever a time is shown.
    expect(within(status).getByText(/6:25:00\sPM GMT\+1$/)).toBeInTheDocument();
    const settings = screen.getByRole("region", { name: "Settings" });
    for (const time of within(settings).getAllByText((_, element) => element?.tagName === "TIME")) {
      expect(time).toHaveTextContent(/GMT\+1$/);
    }
  });

  it("marks a flapping rule with since when, and its flapping settings", async () => {
    server.use(
      handlers.signedInAs(admin),
      ...common(rule({ state: "firing", open_alert_id: 4, flapping_since: "2026-11-27T17:10:00Z", flap_threshold: 8, flap_window_minutes: 20 })),
    );
    renderApp("/rules/1");

    const status = await screen.findByRole("region", { name: "Status" });
    expect(within(status).getByText("Flapping", { selector: ".badge" })).toBeInTheDocument();
    expect(status).toHaveTextContent(/since Nov 27, 2026, 5:10:00 PM UTC: its opens and resolves are not notified until it is stable for 20 min\./);
    expect(screen.getByRole("region", { name: "Settings" })).toHaveTextContent("After 8 opens and resolves within 20 min");
  });

  it("lists a grouped rule's groups worst first, with their labels, state, value, since and open alert", async () => {
    const group = (route: string, state: "ok" | "pending" | "firing", value: number, openAlert: number | null = null) => ({
      fingerprint: route,
      labels: { route },
      state,
      state_reason: state === "pending" ? "The condition holds since 17:26 UTC: fires after 2 min." : "",
      last_value: value,
      last_evaluated_at: "2026-11-27T17:27:00Z",
      state_changed_at: "2026-11-27T17:26:00Z",
      open_alert_id: openAlert,
      flapping_since: state === "firing" ? "2026-11-27T17:12:00Z" : null,
    });
    server.use(
      handlers.signedInAs(admin),
      ...common(
        rule({
          metric_name: "api_error_rate",
          threshold_value: 5,
          state: "firing",
          open_alert_id: 7,
          last_evaluated_at: "2026-11-27T17:27:00Z",
          label_matchers: [{ label: "route", op: "!~", value: "/health/.*" }],
          group_by: ["route"],
          for_minutes: 2,
          labels: { team: "payments" },
          runbook_url: "https://wiki.example.com/runbooks/errors",
          summary: "{{ labels.route }} at {{ value }} %",
          groups: [group("/api/users/", "ok", 0.4), group("/api/cart/", "pending", 6.5), group("/api/orders/", "firing", 12.5, 7)],
        }),
      ),
    );

    renderApp("/rules/1");

    expect(await screen.findByText("Fires for each route whose api_error_rate (avg over 5 min) is above 5% for 2 min, one alert each.")).toBeInTheDocument();
    const groups = screen.getByRole("region", { name: "Groups" });
    expect(groups).toHaveTextContent("By route: 3 groups (1 firing, 1 pending), at most 100.");
    const rows = within(groups).getAllByRole("row").slice(1);
    expect(rows.map((row) => within(row).getByRole("rowheader").textContent)).toEqual([
      "route=/api/orders/",
      "route=/api/cart/",
      "route=/api/users/",
    ]);
    expect(rows.map((row) => within(row).getAllByRole("cell")[0]?.querySelector(".badge")?.textContent)).toEqual([
      "Firing",
      "Pending",
      "OK",
    ]);
    expect(rows[0]).toHaveTextContent("12.5%");
    expect(rows[0]).toHaveTextContent("FlappingFlapping since Nov 27, 2026, 5:12:00 PM UTC");
    expect(rows[1]).not.toHaveTextContent("Flapping");
    expect(within(nth(rows, 0)).getByRole("link", { name: "#7" })).toHaveAttribute("href", "/alerts/7");
    expect(rows[1]).toHaveTextContent("fires after 2 min");
    expect(rows[2]).toHaveTextContent("none");
    const settings = screen.getByRole("region", { name: "Settings" });
    expect(settings).toHaveTextContent('route !~ "/health/.*"');
    expect(settings).toHaveTextContent("2 min before it fires");
    expect(within(settings).getByRole("list", { name: "Rule labels" })).toHaveTextContent("team=payments");
    const runbook = within(settings).getByRole("link", { name: /wiki\.example\.com/ });
    expect(runbook).toHaveAttribute("target", "_blank");
    expect(runbook).toHaveAttribute("rel", "noopener noreferrer");
    expect(settings).toHaveTextContent("{{ labels.route }} at {{ value }} %");
  });

  it("lists a grouped rule's groups in the dry run", async () => {
    server.use(
      handlers.signedInAs(admin),
      ...common(rule({ metric_name: "api_error_rate", group_by: ["route"] })),
      http.post("/api/alerts/rules/1/evaluate/", () =>
        HttpResponse.json(
          evaluation({
            metric_name: "api_error_rate",
            groups: [
              { labels: { route: "/api/users/" }, fingerprint: "b", value: 1, condition_met: false, current_state: "ok", state: "ok", action: "none", reason: "", error: "", open_alert_id: null, summary: "" },
              { labels: { route: "/api/orders/" }, fingerprint: "a", value: 12, condition_met: true, current_state: "ok", state: "firing", action: "fire", reason: "", error: "", open_alert_id: null, summary: "" },
            ],
          }),
        ),
      ),
    );
    const { user } = renderApp("/rules/1");

    await user.click(await screen.findByRole("button", { name: "Evaluate now" }));

    const groups = await screen.findByRole("region", { name: "Groups evaluated now" });
    const rows = within(groups).getAllByRole("row").slice(1);
    expect(rows[0]).toHaveTextContent("route=/api/orders/");
    expect(rows[0]).toHaveTextContent("Would fire: open an alert and notify its channels.");
    expect(rows[0]).toHaveTextContent("now OK");
    expect(rows[1]).toHaveTextContent("route=/api/users/");
    expect(rows[1]).toHaveTextContent("Would do nothing.");
  });

  it("evaluates the saved rule now", async () => {
    server.use(
      handlers.signedInAs(admin),
      ...common(),
      http.post("/api/alerts/rules/1/evaluate/", () =>
        HttpResponse.json(evaluation({ rule_id: 1, current_state: "ok", value: 36.2, condition_met: false, state: "ok", action: "none", reason: "within the threshold" })),
      ),
    );
    const { user } = renderApp("/rules/1");

    await user.click(await screen.findByRole("button", { name: "Evaluate now" }));

    const result = await screen.findByRole("region", { name: "Evaluated now" });
    expect(await within(result).findByText("36.2% is not above 80%: within the threshold.")).toBeInTheDocument();
    expect(result).toHaveTextContent("Would do nothing. (within the threshold)");
  });

  it("asks before deleting, saying the history is kept and the open alert closed", async () => {
    let deleted = false;
    server.use(
      handlers.signedInAs(admin),
      ...common(rule({ open_alert_id: 4 })),
      http.delete("/api/alerts/rules/1/", () => {
        deleted = true;
        return new HttpResponse(null, { status: 204 });
      }),
      http.get("/api/alerts/rules/", () => HttpResponse.json(page([]))),
    );
    const { user } = renderApp("/rules/1");

    const button = await screen.findByRole("button", { name: "Delete…" });
    await user.click(button);
    const dialog = screen.getByRole("dialog", { name: "Delete the rule “High CPU Usage”?" });
    expect(dialog).toHaveTextContent("Its alert history is kept, under the rule's name.");
    expect(dialog).toHaveTextContent("Its open alert #4 is resolved, with a note that the rule was deleted");
    expect(within(dialog).getByRole("button", { name: "Cancel" })).toHaveFocus();
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(deleted).toBe(false);
    expect(button).toHaveFocus();

    await user.click(button);
    await user.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Delete this rule" }));

    await waitFor(() => {
      expect(screen.getByTestId("location")).toHaveTextContent(/^\/rules$/);
    });
    expect(deleted).toBe(true);
    expect(await screen.findByText("Deleted the rule “High CPU Usage”. Its alert history is kept.")).toBeInTheDocument();
  });

  it("switches the rule off and says what that did", async () => {
    const patches: unknown[] = [];
    server.use(
      handlers.signedInAs(admin),
      ...common(rule({ open_alert_id: 4 })),
      http.patch("/api/alerts/rules/1/", async ({ request }) => {
        patches.push(await request.json());
        return HttpResponse.json(rule({ is_active: false }));
      }),
    );
    const { user } = renderApp("/rules/1");

    await user.click(await screen.findByRole("button", { name: "Switch off" }));

    expect(await screen.findByText("Switched off: it is no longer evaluated, and its open alert was resolved.")).toBeInTheDocument();
    expect(patches).toEqual([{ is_active: false }]);
  });

  it("lists the rule's versions with their diffs and restores one after asking", async () => {
    const restored: string[] = [];
    const versions = [
      {
        number: 2, when: "2026-11-27T16:00:00Z", user_name: "oncall", token_name: null, source: "dashboard",
        action: "update", changes: { threshold_value: [80, 95], severity: ["high", "critical"] },
      },
      {
        number: 1, when: "2026-11-27T15:00:00Z", user_name: null, token_name: "deploy", source: "api",
        action: "create", changes: { threshold_value: [null, 80] },
      },
    ];
    server.use(
      handlers.signedInAs(admin),
      ...common(rule({ threshold_value: 95 })),
      http.get("/api/alerts/rules/1/versions/", () => HttpResponse.json(versions)),
      http.post("/api/alerts/rules/1/versions/:number/restore/", ({ params }) => {
        restored.push(String(params.number));
        return HttpResponse.json(rule({ threshold_value: 80 }));
      }),
    );
    const { user } = renderApp("/rules/1");

    const section = await screen.findByRole("region", { name: "Versions" });
    const second = await within(section).findByRole("listitem", { name: "Version 2" });
    expect(second).toHaveTextContent("changed by oncall from the dashboard");
    const rows = within(second).getAllByRole("row").slice(1).map((row) => row.textContent);
    expect(rows).toEqual(["threshold_value8095", "severityhighcritical"]);
    expect(within(second).queryByRole("button", { name: "Restore this version" })).not.toBeInTheDocument();
    const first = within(section).getByRole("listitem", { name: "Version 1" });
    expect(first).toHaveTextContent("created by nobody signed in (token “deploy”) from the API");

    await user.click(within(first).getByRole("button", { name: "Restore this version" }));
    const dialog = screen.getByRole("dialog", { name: "Restore version 1 of “High CPU Usage”?" });
    expect(restored).toEqual([]);
    await user.click(within(dialog).getByRole("button", { name: "Restore this version" }));

    expect(await within(section).findByText("Restored version 1: it is evaluated from the next minute.")).toBeInTheDocument();
    expect(restored).toEqual(["1"]);
  });

  it("says why a version could not be restored", async () => {
    server.use(
      handlers.signedInAs(admin),
      ...common(),
      http.get("/api/alerts/rules/1/versions/", () =>
        HttpResponse.json([
          { number: 2, when: "2026-11-27T16:00:00Z", user_name: "oncall", token_name: null, source: "dashboard", action: "update", changes: { channels: [[3], []] } },
          { number: 1, when: "2026-11-27T15:00:00Z", user_name: "oncall", token_name: null, source: "dashboard", action: "create", changes: {} },
        ]),
      ),
      http.post("/api/alerts/rules/1/versions/1/restore/", () =>
        HttpResponse.json({ channels: { "0": ["Invalid pk \"3\" - object does not exist."] } }, { status: 400 }),
      ),
    );
    const { user } = renderApp("/rules/1");

    const first = await screen.findByRole("listitem", { name: "Version 1" });
    await user.click(within(first).getByRole("button", { name: "Restore this version" }));
    await user.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Restore this version" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("Could not restore version 1");
  });

  it("shows a viewer no write action", async () => {
    server.use(handlers.signedInAs(viewer), ...common());

    renderApp("/rules/1");

    const actions = await screen.findByRole("group", { name: "Actions on this rule" });
    expect(within(actions).getAllByRole("button").map((button) => button.textContent)).toEqual(["Evaluate now"]);
    expect(within(actions).queryByRole("link", { name: "Edit" })).not.toBeInTheDocument();
  });
});

describe("RuleDetailPage, a provisioned rule", () => {
  it("says it is read-only and offers no Edit, Switch off, Delete or Restore (Evaluate now changes nothing and stays)", async () => {
    const versions = [
      { number: 2, when: "2026-11-27T16:00:00Z", user_name: null, token_name: null, source: "provisioning",
        action: "update", changes: { threshold_value: [80, 95] } },
      { number: 1, when: "2026-11-27T15:00:00Z", user_name: null, token_name: null, source: "provisioning",
        action: "create", changes: { threshold_value: [null, 80] } },
    ];
    server.use(
      handlers.signedInAs(admin),
      ...common(rule({ provisioned: "team.yaml" })),
      http.get("/api/alerts/rules/1/versions/", () => HttpResponse.json(versions)),
    );
    renderApp("/rules/1");

    expect(await screen.findByRole("heading", { level: 1, name: "High CPU Usage" })).toBeInTheDocument();
    expect(screen.getByText("Provisioned from team.yaml: read-only.")).toBeInTheDocument();
    const actions = screen.getByRole("group", { name: "Actions on this rule" });
    expect(within(actions).getByRole("button", { name: "Evaluate now" })).toBeInTheDocument();
    expect(within(actions).queryByRole("link", { name: "Edit" })).not.toBeInTheDocument();
    expect(within(actions).queryByRole("button", { name: /^Switch (off|on)$/ })).not.toBeInTheDocument();
    expect(within(actions).queryByRole("button", { name: "Delete…" })).not.toBeInTheDocument();
    const section = await screen.findByRole("region", { name: "Versions" });
    expect(await within(section).findByRole("listitem", { name: "Version 1" })).toBeInTheDocument();
    expect(within(section).queryByRole("button", { name: "Restore this version" })).not.toBeInTheDocument();
  });

  it("keeps Edit, the switch and Delete for a rule no file holds", async () => {
    server.use(handlers.signedInAs(admin), ...common(rule()));
    renderApp("/rules/1");

    expect(await screen.findByRole("heading", { level: 1, name: "High CPU Usage" })).toBeInTheDocument();
    expect(screen.queryByText(/Provisioned from/)).not.toBeInTheDocument();
    const actions = screen.getByRole("group", { name: "Actions on this rule" });
    expect(within(actions).getByRole("link", { name: "Edit" })).toBeInTheDocument();
    expect(within(actions).getByRole("button", { name: /^Switch (off|on)$/ })).toBeInTheDocument();
    expect(within(actions).getByRole("button", { name: "Delete…" })).toBeInTheDocument();
  });
});
