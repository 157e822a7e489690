import { screen, waitFor, within } from "@testing-library/react";
import type { UserEvent } from "@testing-library/user-event";
import { delay, http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { alertItem, catalogue, channel, defaultChannels, evaluation, integrations, page, routePreview, rule } from "../test/fixtures";
import { renderApp } from "../test/render";
import type { GroupEvaluation } from "../types/alerts";
import { admin, handlers, server, viewer, watchRequests } from "../test/server";
import { LIVE_EVALUATION_DELAY_MS } from "./RuleFormPage";

function common() {
  return [
    handlers.signedInAs(admin),
    handlers.csrf(),
    http.get("/api/alerts/metrics/", () =>
      HttpResponse.json({
        ...catalogue({ cpu_usage: 36.2 }),
        metrics: [
          ...catalogue({ cpu_usage: 36.2 }).metrics,
          { name: "checkout_queue", label: "checkout_queue", unit: "", category: "custom", kind: "gauge", default_aggregation: "avg", description: "Pushed by another system.", value: 42, no_data: false },
        ],
      }),
    ),
    http.get("/api/alerts/integrations/", () => HttpResponse.json(integrations())),
    handlers.metricLabels(),
    handlers.channels([...defaultChannels(), channel()]),
  ];
}

async function fillNewRule(user: UserEvent) {
  await user.type(await screen.findByLabelText("Name"), "Checkout backlog");
  await user.selectOptions(screen.getByLabelText("Metric"), "checkout_queue");
  await user.type(screen.getByLabelText("Threshold"), "100");
  await user.selectOptions(screen.getByLabelText("Severity"), "Critical");
}

describe("RuleFormPage", () => {
  it("sends the chosen extra channels with the rule; the default Slack and email stay the switches", async () => {
    const bodies: Record<string, unknown>[] = [];
    const created = rule({ id: 9, name: "Checkout backlog", metric_name: "checkout_queue", channels: [3] });
    server.use(
      ...common(),
      http.post("/api/alerts/rules/", async ({ request }) => {
        bodies.push((await request.json()) as Record<string, unknown>);
        return HttpResponse.json({ ...created, warnings: [] }, { status: 201 });
      }),
      http.get("/api/alerts/rules/9/", () => HttpResponse.json(created)),
      http.get("/api/alerts/history/", () => HttpResponse.json(page([]))),
    );
    const { user } = renderApp("/rules/new");
    await fillNewRule(user);

    const others = screen.getByRole("group", { name: "Other channels" });
    expect(within(others).getAllByRole("checkbox")).toHaveLength(1);
    await user.click(within(others).getByLabelText("Ops Discord (Discord)"));
    await user.click(screen.getByRole("button", { name: "Create rule" }));

    await waitFor(() => {
      expect(screen.getByTestId("location")).toHaveTextContent("/rules/9");
    });
    expect(bodies[0]).toMatchObject({ channels: [3], slack_enabled: false, email_enabled: false });
  });

  it("says where a new rule's alert would go, by its severity, metric, name and labels", async () => {
    const bodies: unknown[] = [];
    server.use(
      ...common(),
      http.post("/api/alerts/policies/preview/", async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json(routePreview());
      }),
    );
    const { user } = renderApp("/rules/new");
    await fillNewRule(user);
    await user.click(screen.getByRole("button", { name: "Add a label" }));
    await user.type(screen.getByLabelText("Label name 1"), "team");
    await user.type(screen.getByLabelText("Label value 1"), "payments");

    const panel = screen.getByRole("region", { name: "Where would this go?" });
    await user.click(within(panel).getByRole("button", { name: "Show where it would go" }));
    const table = await within(panel).findByRole("table", { name: "Where it would go" });
    expect(within(table).getAllByRole("row")[1]).toHaveTextContent(/Ops Discord\s*discord\s*its own destination\s*policy Critical to PagerDuty/);
    expect(bodies).toEqual([{ severity: "critical", metric: "checkout_queue", rule: "Checkout backlog", labels: { team: "payments" } }]);
  });

  it("says where a saved rule's alert goes, by the rule as saved", async () => {
    const bodies: unknown[] = [];
    server.use(
      ...common(),
      http.get("/api/alerts/rules/1/", () => HttpResponse.json(rule())),
      http.post("/api/alerts/policies/preview/", async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json(
          routePreview({
            matched_policies: [],
            routes: [
              { channel_id: 1, channel_name: "Slack (default)", kind: "slack", target: "#system-alerts", is_active: true, via: "rule", policy_id: null, policy_name: "" },
            ],
          }),
        );
      }),
    );
    const { user } = renderApp("/rules/1/edit");

    const panel = await screen.findByRole("region", { name: "Where would this go?" });
    expect(panel).toHaveTextContent("Save your edits to see them here.");
    await user.click(within(panel).getByRole("button", { name: "Show where it would go" }));
    const table = await within(panel).findByRole("table", { name: "Where it would go" });
    expect(within(table).getAllByRole("row")[1]).toHaveTextContent(/Slack \(default\)\s*slack\s*#system-alerts\s*the rule/);
    expect(bodies).toEqual([{ rule_id: 1 }]);
  });

  it("offers every metric by category with its current value, and every field of a rule", async () => {
    server.use(...common());

    renderApp("/rules/new");

    const metric = await screen.findByLabelText("Metric");
    const groups = within(metric).getAllByRole("group").map((group) => group.getAttribute("label"));
    expect(groups).toContain("System");
    expect(groups).toContain("Custom (pushed by other systems)");
    expect(within(metric).getByRole("option", { name: "CPU usage (cpu_usage) · now 36.2%" })).toBeInTheDocument();
    expect(within(metric).getByRole("option", { name: "Memory usage (memory_usage) · no data now" })).toBeInTheDocument();
    expect(within(metric).getByRole("option", { name: "checkout_queue (checkout_queue) · now 42" })).toBeInTheDocument();
    for (const label of [
      "Name", "Description", "Condition", "Threshold", "Window (minutes)", "Aggregation", "Severity", "Notify Slack",
      "Slack channel", "Send email", "Email recipients", "Reminder every (minutes)", "At most alerts per hour",
      "Resolve threshold", "Resolve automatically when back to normal", "Tell the channels when resolved",
      "Alert when there is no data", "Active (evaluated every minute)",
    ]) {
      expect(screen.getByLabelText(label)).toBeInTheDocument();
    }
    expect(within(screen.getByLabelText("Condition")).getAllByRole("option")).toHaveLength(6);
    expect(screen.getByText("#channel or @user; blank: #alerts.")).toBeInTheDocument();
  });

  it("shows the server's messages beside their fields and moves the focus to the first", async () => {
    const bodies: Record<string, unknown>[] = [];
    server.use(
      ...common(),
      http.post("/api/alerts/rules/", async ({ request }) => {
        bodies.push((await request.json()) as Record<string, unknown>);
        return HttpResponse.json(
          {
            time_window_minutes: ["The time window must be between 1 and 60 minutes."],
            email_recipients: ["Email notifications need at least one recipient."],
          },
          { status: 400 },
        );
      }),
    );
    const { user } = renderApp("/rules/new");
    await fillNewRule(user);
    const window = screen.getByLabelText("Window (minutes)");
    await user.clear(window);
    await user.type(window, "61");
    await user.click(screen.getByLabelText("Send email"));

    await user.click(screen.getByRole("button", { name: "Create rule" }));

    await waitFor(() => {
      expect(window).toHaveAttribute("aria-invalid", "true");
    });
    expect(window).toHaveAccessibleDescription(/The time window must be between 1 and 60 minutes\./);
    const recipients = screen.getByLabelText("Email recipients");
    expect(recipients).toHaveAttribute("aria-invalid", "true");
    expect(recipients).toHaveAccessibleDescription(/Email notifications need at least one recipient\./);
    expect(window).toHaveFocus();
    const summary = screen.getByRole("alert");
    expect(summary).toHaveTextContent("2 fields need attention");
    expect(within(summary).getByRole("link", { name: "Window" })).toHaveAttribute("href", `#${window.id}`);
    expect(bodies[0]).toMatchObject({
      name: "Checkout backlog", metric_name: "checkout_queue", threshold_value: 100, time_window_minutes: 61,
      severity: "critical", email_enabled: true, email_recipients: "", aggregation: "", resolve_threshold: null,
    });
    // Still on the form, nothing lost.
    expect(screen.getByLabelText("Name")).toHaveValue("Checkout backlog");
  });

  it("opens the advanced flapping fields to show the server's message about them", async () => {
    server.use(
      ...common(),
      http.post("/api/alerts/rules/", () =>
        HttpResponse.json({ flap_threshold: ["0 (never) or 2 to 100."] }, { status: 400 }),
      ),
    );
    const { user } = renderApp("/rules/new");
    await fillNewRule(user);
    const advanced = screen.getByText("Advanced: flapping").closest("details");
    expect(advanced).not.toHaveAttribute("open");

    await user.click(screen.getByRole("button", { name: "Create rule" }));

    const threshold = await screen.findByLabelText("Flapping after (opens and resolves)");
    await waitFor(() => {
      expect(threshold).toHaveAttribute("aria-invalid", "true");
    });
    expect(advanced).toHaveAttribute("open");
    expect(threshold).toHaveAccessibleDescription(/0 \(never\) or 2 to 100\./);
    expect(within(screen.getByRole("alert")).getByRole("link", { name: "Flapping after" })).toBeInTheDocument();
  });

  it("sends what was typed when it is not a number, for the server to name", async () => {
    const bodies: Record<string, unknown>[] = [];
    server.use(
      ...common(),
      http.post("/api/alerts/rules/", async ({ request }) => {
        bodies.push((await request.json()) as Record<string, unknown>);
        return HttpResponse.json({ threshold_value: ["A valid number is required."] }, { status: 400 });
      }),
    );
    const { user } = renderApp("/rules/new");
    await user.type(await screen.findByLabelText("Name"), "x");
    await user.type(screen.getByLabelText("Threshold"), "lots");
    await user.click(screen.getByRole("button", { name: "Create rule" }));

    expect(await screen.findByText("A valid number is required.", { selector: ".field__error" })).toBeInTheDocument();
    expect(bodies[0]?.threshold_value).toBe("lots");
  });

  it("creates the rule and opens it", async () => {
    server.use(
      ...common(),
      http.post("/api/alerts/rules/", () => HttpResponse.json(rule({ id: 9, name: "Checkout backlog", metric_name: "checkout_queue" }), { status: 201 })),
      http.get("/api/alerts/rules/9/", () => HttpResponse.json(rule({ id: 9, name: "Checkout backlog", metric_name: "checkout_queue" }))),
      http.get("/api/alerts/history/", () => HttpResponse.json(page([]))),
    );
    const { user } = renderApp("/rules/new");
    await fillNewRule(user);

    await user.click(screen.getByRole("button", { name: "Create rule" }));

    await waitFor(() => {
      expect(screen.getByTestId("location")).toHaveTextContent("/rules/9");
    });
    expect(await screen.findByText("Created “Checkout backlog”. It is evaluated every minute.")).toBeInTheDocument();
  });

  it("creates a rule on a custom metric before its first sample, with the hint and the server's warning", async () => {
    const bodies: Record<string, unknown>[] = [];
    const warning = "No samples of queue_depth yet: the rule reads no data until the first arrives.";
    const created = rule({ id: 9, name: "Queue depth", metric_name: "queue_depth", state: "no_data" });
    server.use(
      ...common(),
      http.post("/api/alerts/rules/", async ({ request }) => {
        bodies.push((await request.json()) as Record<string, unknown>);
        return HttpResponse.json({ ...created, warnings: [warning] }, { status: 201 });
      }),
      http.get("/api/alerts/rules/9/", () => HttpResponse.json(created)),
      http.get("/api/alerts/history/", () => HttpResponse.json(page([]))),
    );
    const { user } = renderApp("/rules/new");
    await user.type(await screen.findByLabelText("Name"), "Queue depth");

    await user.selectOptions(screen.getByLabelText("Metric"), "Another metric, by name (no samples yet)…");
    const name = screen.getByLabelText("Metric name");
    await user.type(name, "Queue depth");
    // Not a name a metric can have: what one may be, before anything is sent.
    expect(name).toHaveAccessibleDescription(/lowercase letters, digits and _/);
    await user.clear(name);
    await user.type(name, "queue_depth");
    expect(name).toHaveAccessibleDescription(warning);
    expect(screen.getByLabelText("Metric")).toHaveAccessibleDescription(warning);
    await user.type(screen.getByLabelText("Threshold"), "100");
    await user.click(screen.getByRole("button", { name: "Create rule" }));

    await waitFor(() => {
      expect(screen.getByTestId("location")).toHaveTextContent("/rules/9");
    });
    expect(bodies[0]).toMatchObject({ metric_name: "queue_depth", threshold_value: 100 });
    expect(await screen.findByText("Created “Queue depth”. It is evaluated every minute.")).toBeInTheDocument();
    expect(screen.getByText(warning, { selector: ".notice" })).toBeInTheDocument();
  });

  it("keeps a saved rule's metric that the catalogue does not list, in the name field", async () => {
    server.use(...common(), http.get("/api/alerts/rules/1/", () => HttpResponse.json(rule({ metric_name: "queue_depth" }))));

    renderApp("/rules/1/edit");

    expect(await screen.findByLabelText("Metric name")).toHaveValue("queue_depth");
    expect(screen.getByLabelText("Metric")).toHaveValue("another metric");
    expect(screen.getByLabelText("Metric")).toHaveAccessibleDescription(/No samples of queue_depth yet/);
  });

  it("writes each condition with the product document's symbol", async () => {
    server.use(...common());

    renderApp("/rules/new");

    const condition = await screen.findByLabelText("Condition");
    expect(within(condition).getAllByRole("option").map((option) => option.textContent)).toEqual([
      "> greater than", ">= greater than or equal to", "< less than", "<= less than or equal to", "= equal to", "!= not equal to",
    ]);
    expect(condition).toHaveValue("gt");
  });

  it("evaluates the unsaved rule now and says whether it would fire, saving nothing", async () => {
    const drafts: Record<string, unknown>[] = [];
    server.use(
      ...common(),
      http.post("/api/alerts/rules/evaluate/", async ({ request }) => {
        drafts.push((await request.json()) as Record<string, unknown>);
        await delay(20);
        return HttpResponse.json(evaluation({ metric_name: "checkout_queue", value: 250, threshold_value: 100, points: [{ t: "2026-11-27T17:27:00Z", v: 250 }] }));
      }),
    );
    const { user } = renderApp("/rules/new");
    await fillNewRule(user);

    await user.click(screen.getByRole("button", { name: "Evaluate now" }));

    expect(screen.getByRole("button", { name: "Evaluating…" })).toHaveAttribute("aria-busy", "true");
    const result = screen.getByRole("region", { name: "Evaluate now" });
    expect(await within(result).findByText("250 is above 100: the condition holds.")).toBeInTheDocument();
    expect(result).toHaveTextContent("Would fire: open an alert and notify its channels.");
    expect(result).toHaveTextContent("A dry run: nothing was saved or sent.");
    expect(drafts).toEqual([expect.objectContaining({ name: "Checkout backlog", metric_name: "checkout_queue", threshold_value: 100, rule_id: null })]);
    expect(screen.getByTestId("location")).toHaveTextContent("/rules/new");
  });

  it("switches to a PromQL rule: data source and expression instead of the metric, evaluated as such", async () => {
    const drafts: Record<string, unknown>[] = [];
    server.use(
      ...common(),
      http.get("/api/monitoring/data-sources/", () =>
        HttpResponse.json(page([{ id: 3, name: "prometheus", kind: "prometheus", base_url: "http://prometheus:9090", secrets: {}, timeout_seconds: 10, created_at: "2026-11-27T17:00:00Z", updated_at: "2026-11-27T17:00:00Z" }])),
      ),
      http.post("/api/alerts/rules/evaluate/", async ({ request }) => {
        drafts.push((await request.json()) as Record<string, unknown>);
        return HttpResponse.json(evaluation({ kind: "promql", query: "my_queue_depth", data_source: 3, metric_name: "", source: "promql", value: 150, threshold_value: 100 }));
      }),
    );
    const { user } = renderApp("/rules/new");
    await user.type(await screen.findByLabelText("Name"), "Queue backlog");
    await user.selectOptions(screen.getByLabelText("Kind"), "promql");

    expect(screen.queryByLabelText("Metric")).not.toBeInTheDocument();
    await user.selectOptions(await screen.findByLabelText("Data source"), await screen.findByRole("option", { name: "prometheus" }));
    await user.type(screen.getByLabelText("Expression"), "my_queue_depth");
    await user.type(screen.getByLabelText("Threshold"), "100");
    await user.click(screen.getByRole("button", { name: "Evaluate now" }));

    const result = screen.getByRole("region", { name: "Evaluate now" });
    expect(await within(result).findByText("150 is above 100: the condition holds.")).toBeInTheDocument();
    expect(drafts).toEqual([expect.objectContaining({ kind: "promql", expr: "my_queue_depth", data_source: 3 })]);
    expect(drafts[0]).not.toHaveProperty("metric_name");
  });

  it("previews the summary the form's template gives on the data of now, the rule's and each group's", async () => {
    const drafts: Record<string, unknown>[] = [];
    const group = (route: string, value: number, action: "fire" | "none", summary: string): GroupEvaluation => ({
      labels: { route }, fingerprint: route, value, condition_met: action === "fire", current_state: null,
      state: action === "fire" ? "firing" : "ok", action, reason: "", error: "", open_alert_id: null, summary,
    });
    server.use(
      ...common(),
      http.post("/api/alerts/rules/evaluate/", async ({ request }) => {
        drafts.push((await request.json()) as Record<string, unknown>);
        return HttpResponse.json(evaluation({
          metric_name: "checkout_queue", value: 250, threshold_value: 100, summary: "Backlog at 250 (over 100)",
          groups: [group("/api/orders/", 250, "fire", "/api/orders/ at 250"), group("/api/users/", 3, "none", "/api/users/ at 3")],
        }));
      }),
    );
    const { user } = renderApp("/rules/new");
    await fillNewRule(user);
    await user.type(screen.getByLabelText("Summary"), "Backlog at {{{{ value }}");
    const result = screen.getByRole("region", { name: "Evaluate now" });
    expect(result).not.toHaveTextContent("Summary preview");

    await user.click(screen.getByRole("button", { name: "Evaluate now" }));

    expect(await within(result).findByText("Backlog at 250 (over 100)")).toBeInTheDocument();
    expect(within(result).getByText("Summary preview:").parentElement).toHaveTextContent("Summary preview: Backlog at 250 (over 100)");
    const groups = within(within(result).getByRole("region", { name: "Groups evaluated now" })).getByRole("table");
    expect(within(groups).getByRole("columnheader", { name: "Summary preview" })).toBeInTheDocument();
    expect(within(groups).getAllByRole("row").slice(1).map((row) => row.lastElementChild?.textContent)).toEqual([
      "/api/orders/ at 250", "/api/users/ at 3",
    ]);
    expect(drafts).toEqual([expect.objectContaining({ summary: "Backlog at {{ value }}" })]);
  });

  it("follows the form after a first evaluation: an edited summary is previewed again once typing pauses", async () => {
    const drafts: Record<string, unknown>[] = [];
    server.use(
      ...common(),
      http.post("/api/alerts/rules/evaluate/", async ({ request }) => {
        const draft = (await request.json()) as Record<string, unknown>;
        drafts.push(draft);
        const summary = String(draft.summary).replace("{{ value }}", "250");
        return HttpResponse.json(evaluation({ metric_name: "checkout_queue", value: 250, threshold_value: 100, summary }));
      }),
    );
    const { user } = renderApp("/rules/new");
    await fillNewRule(user);
    await user.type(screen.getByLabelText("Summary"), "Backlog at {{{{ value }}");
    const result = screen.getByRole("region", { name: "Evaluate now" });
    await user.click(screen.getByRole("button", { name: "Evaluate now" }));
    expect(await within(result).findByText("Backlog at 250")).toBeInTheDocument();

    await user.type(screen.getByLabelText("Summary"), " jobs");

    expect(await within(result).findByText("Backlog at 250 jobs", {}, { timeout: LIVE_EVALUATION_DELAY_MS * 5 })).toBeInTheDocument();
    // Once when asked, then once for the edit (not once per key typed).
    expect(drafts.map((draft) => draft.summary)).toEqual(["Backlog at {{ value }}", "Backlog at {{ value }} jobs"]);
  });

  it("does not follow the form before a first evaluation", async () => {
    const drafts: unknown[] = [];
    server.use(...common(), http.post("/api/alerts/rules/evaluate/", async ({ request }) => {
      drafts.push(await request.json());
      return HttpResponse.json(evaluation({ metric_name: "checkout_queue" }));
    }));
    const { user } = renderApp("/rules/new");
    await fillNewRule(user);
    await user.type(screen.getByLabelText("Summary"), "Backlog");

    await new Promise((resolve) => setTimeout(resolve, LIVE_EVALUATION_DELAY_MS * 2));

    expect(drafts).toEqual([]);
  });

  it("shows no summary preview for a rule without a summary", async () => {
    server.use(...common(), http.post("/api/alerts/rules/evaluate/", () => HttpResponse.json(evaluation({ metric_name: "checkout_queue" }))));
    const { user } = renderApp("/rules/new");
    await fillNewRule(user);

    await user.click(screen.getByRole("button", { name: "Evaluate now" }));

    const result = screen.getByRole("region", { name: "Evaluate now" });
    expect(await within(result).findByText("A dry run: nothing was saved or sent.")).toBeInTheDocument();
    expect(result).not.toHaveTextContent("Summary preview");
  });

  it("shows a dry run's refusal beside the fields too", async () => {
    server.use(
      ...common(),
      http.post("/api/alerts/rules/evaluate/", () =>
        HttpResponse.json({ metric_name: ["Unknown metric ''. Valid metrics: cpu_usage, …"] }, { status: 400 }),
      ),
    );
    const { user } = renderApp("/rules/new");
    await user.type(await screen.findByLabelText("Name"), "x");

    await user.click(screen.getByRole("button", { name: "Evaluate now" }));

    const metric = screen.getByLabelText("Metric");
    await waitFor(() => {
      expect(metric).toHaveAttribute("aria-invalid", "true");
    });
    expect(metric).toHaveFocus();
  });

  it("says a provisioned rule is read-only and does not save it", async () => {
    const puts: unknown[] = [];
    server.use(
      ...common(),
      http.get("/api/alerts/rules/1/", () => HttpResponse.json(rule({ provisioned: "team.yaml" }))),
      http.put("/api/alerts/rules/1/", async ({ request }) => {
        puts.push(await request.json());
        return HttpResponse.json(rule());
      }),
      http.get("/api/alerts/history/", () => HttpResponse.json(page([]))),
    );
    const { user } = renderApp("/rules/1/edit");

    expect(await screen.findByText(/Provisioned from team\.yaml: read-only/)).toBeInTheDocument();
    const save = screen.getByRole("button", { name: "Save changes" });
    expect(save).toBeDisabled();
    await user.click(save);
    expect(puts).toEqual([]);
  });

  it("edits a saved rule: its values in the form, a PUT of every field, a dry run of the edit", async () => {
    const puts: Record<string, unknown>[] = [];
    const drafts: Record<string, unknown>[] = [];
    server.use(
      ...common(),
      http.get("/api/alerts/rules/1/", () => HttpResponse.json(rule({ state: "firing", open_alert_id: 4 }))),
      http.post("/api/alerts/rules/evaluate/", async ({ request }) => {
        drafts.push((await request.json()) as Record<string, unknown>);
        return HttpResponse.json(evaluation({ rule_id: 1, current_state: "firing", state: "firing", action: "update", open_alert_id: 4 }));
      }),
      http.put("/api/alerts/rules/1/", async ({ request }) => {
        puts.push((await request.json()) as Record<string, unknown>);
        return HttpResponse.json(rule({ threshold_value: 85 }));
      }),
      http.get("/api/alerts/history/", () => HttpResponse.json(page([alertItem({ id: 4 })]))),
    );
    const { user } = renderApp("/rules/1/edit");

    const threshold = await screen.findByLabelText("Threshold");
    expect(threshold).toHaveValue("80");
    expect(screen.getByLabelText("Email recipients")).toHaveValue("ops@resee.com");
    expect(screen.getByLabelText("Slack channel")).toHaveValue("#system-alerts");
    await user.clear(threshold);
    await user.type(threshold, "85");
    await user.click(screen.getByRole("button", { name: "Evaluate now" }));
    const result = screen.getByRole("region", { name: "Evaluate now" });
    expect(await within(result).findByText(/Still firing: the open alert stays open/)).toBeInTheDocument();
    expect(within(result).getByRole("link", { name: "#4" })).toHaveAttribute("href", "/alerts/4");
    expect(drafts[0]).toMatchObject({ rule_id: 1, threshold_value: 85 });

    await user.click(screen.getByText("Advanced: flapping"));
    const flapThreshold = screen.getByLabelText("Flapping after (opens and resolves)");
    expect(flapThreshold).toHaveValue("6");
    expect(screen.getByLabelText("Flapping counted over (minutes)")).toHaveValue("30");
    await user.clear(flapThreshold);
    await user.type(flapThreshold, "10");
    await user.click(screen.getByRole("button", { name: "Save changes" }));

    await waitFor(() => {
      expect(screen.getByTestId("location")).toHaveTextContent(/^\/rules\/1$/);
    });
    expect(puts[0]).toEqual({
      name: "High CPU Usage", description: "Alert when CPU usage exceeds 80% for 5 minutes", kind: "metric", expr: "",
      data_source: null, metric_name: "cpu_usage",
      condition: "gt", threshold_value: 85, time_window_minutes: 5, aggregation: "", severity: "high",
      slack_enabled: true, slack_channel: "#system-alerts", email_enabled: true, email_recipients: "ops@resee.com",
      cooldown_minutes: 60, auto_resolve: true, notify_on_resolve: true, resolve_threshold: null,
      alert_on_no_data: false, max_alerts_per_hour: 10, is_active: true, label_matchers: [], group_by: [],
      max_series_per_rule: 100, for_minutes: 0, labels: {}, runbook_url: "", summary: "", channels: [],
      flap_threshold: 10, flap_window_minutes: 30,
    });
  });

  it("builds a grouped rule: matchers and group-by from the metric's labels, pending, annotations, rule labels", async () => {
    const bodies: Record<string, unknown>[] = [];
    server.use(
      handlers.metricLabels((metric) => ({
        metric,
        labels: metric === "api_error_rate" ? { method: ["GET", "POST"], route: ["/api/orders/", "/api/users/"] } : {},
        truncated: [],
      })),
      ...common(),
      http.post("/api/alerts/rules/", async ({ request }) => {
        bodies.push((await request.json()) as Record<string, unknown>);
        return HttpResponse.json({ threshold_value: ["A valid number is required."] }, { status: 400 });
      }),
    );
    const { user } = renderApp("/rules/new");
    await user.type(await screen.findByLabelText("Name"), "Failing routes");
    await user.selectOptions(screen.getByLabelText("Metric"), "api_error_rate");
    await user.type(screen.getByLabelText("Threshold"), "5");

    const matchers = screen.getByRole("group", { name: "Label matchers" });
    expect(await within(matchers).findByText(/Its labels in the last day: method, route\./)).toBeInTheDocument();
    await user.click(within(matchers).getByRole("button", { name: "Add a matcher" }));
    const label = within(matchers).getByLabelText("Label 1");
    // The metric's label names are offered, and so are the chosen label's values.
    const names = document.getElementById(label.getAttribute("list") ?? "");
    expect([...(names?.querySelectorAll("option") ?? [])].map((option) => option.value)).toEqual(["method", "route"]);
    await user.type(label, "route");
    await user.selectOptions(within(matchers).getByLabelText("Operator 1"), "!~");
    const value = within(matchers).getByLabelText("Value 1");
    const values = document.getElementById(value.getAttribute("list") ?? "");
    expect([...(values?.querySelectorAll("option") ?? [])].map((option) => option.value)).toEqual(["/api/orders/", "/api/users/"]);
    await user.type(value, "/health/.*");

    const groupBy = screen.getByRole("group", { name: "Group by" });
    await user.click(within(groupBy).getByRole("checkbox", { name: "route" }));
    expect(within(groupBy).getByRole("checkbox", { name: "method" })).not.toBeChecked();
    await user.clear(screen.getByLabelText("Pending for (minutes)"));
    await user.type(screen.getByLabelText("Pending for (minutes)"), "2");
    await user.clear(screen.getByLabelText("At most groups"));
    await user.type(screen.getByLabelText("At most groups"), "50");
    await user.type(screen.getByLabelText("Runbook URL"), "https://wiki.example.com/runbooks/errors");
    await user.type(screen.getByLabelText("Summary"), "{{{{ labels.route }} fails at {{{{ value|round(1) }} %");
    const ruleLabels = screen.getByRole("group", { name: "Rule labels" });
    await user.click(within(ruleLabels).getByRole("button", { name: "Add a label" }));
    await user.type(within(ruleLabels).getByLabelText("Label name 1"), "team");
    await user.type(within(ruleLabels).getByLabelText("Label value 1"), "payments");

    await user.click(screen.getByRole("button", { name: "Create rule" }));

    await waitFor(() => {
      expect(bodies).toHaveLength(1);
    });
    expect(bodies[0]).toMatchObject({
      metric_name: "api_error_rate",
      label_matchers: [{ label: "route", op: "!~", value: "/health/.*" }],
      group_by: ["route"],
      for_minutes: 2,
      max_series_per_rule: 50,
      runbook_url: "https://wiki.example.com/runbooks/errors",
      summary: "{{ labels.route }} fails at {{ value|round(1) }} %",
      labels: { team: "payments" },
    });
  });

  it("shows the server's messages about a matcher, a label and the annotations beside them", async () => {
    server.use(
      ...common(),
      http.get("/api/alerts/rules/1/", () =>
        HttpResponse.json(
          rule({
            metric_name: "api_error_rate",
            label_matchers: [{ label: "route", op: "=", value: "/api/orders/" }, { label: "method", op: "=", value: "GET" }],
            group_by: ["route"],
            labels: { team: "payments" },
          }),
        ),
      ),
      http.put("/api/alerts/rules/1/", () =>
        HttpResponse.json(
          {
            label_matchers: { "1": { op: ['"~~" is not a valid choice. Valid: =, !=, =~, !~.'] } },
            labels: { team: ["Ensure this field has no more than 128 characters."] },
            group_by: ["'Route' is not a valid label name."],
            runbook_url: ["A runbook URL must start with http:// or https:// and name a host."],
            summary: ["Not a valid summary template: unexpected end of template."],
          },
          { status: 400 },
        ),
      ),
    );
    const { user } = renderApp("/rules/1/edit");
    const matchers = await screen.findByRole("group", { name: "Label matchers" });
    expect(within(matchers).getByLabelText("Value 1")).toHaveValue("/api/orders/");
    expect(within(matchers).getByLabelText("Label 2")).toHaveValue("method");
    expect(within(screen.getByRole("group", { name: "Group by" })).getByRole("checkbox", { name: "route" })).toBeChecked();
    expect(screen.getByLabelText("Label name 1")).toHaveValue("team");

    await user.click(screen.getByRole("button", { name: "Save changes" }));

    const op = within(matchers).getByLabelText("Operator 2");
    await waitFor(() => {
      expect(op).toHaveAttribute("aria-invalid", "true");
    });
    expect(op).toHaveAccessibleDescription(/"~~" is not a valid choice/);
    expect(op).toHaveFocus();
    expect(within(matchers).getByLabelText("Operator 1")).toHaveAttribute("aria-invalid", "false");
    expect(screen.getByLabelText("Label name 1")).toHaveAccessibleDescription(/no more than 128 characters/);
    expect(screen.getByRole("group", { name: "Group by" })).toHaveAccessibleDescription(/'Route' is not a valid label name/);
    expect(screen.getByLabelText("Runbook URL")).toHaveAccessibleDescription(/must start with http/);
    expect(screen.getByLabelText("Summary")).toHaveAccessibleDescription(/Not a valid summary template/);
    const summary = screen.getByRole("alert");
    expect(summary).toHaveTextContent("5 fields need attention");
    expect(within(summary).getByRole("link", { name: "Label matchers, row 2, operator" })).toHaveAttribute("href", `#${op.id}`);
    expect(within(summary).getByRole("link", { name: "Rule labels, team" })).toHaveAttribute(
      "href",
      `#${screen.getByLabelText("Label name 1").id}`,
    );
  });

  it("refuses a rule label named on two rows before sending anything", async () => {
    const sent = watchRequests();
    server.use(...common());
    const { user } = renderApp("/rules/new");
    await fillNewRule(user);
    const ruleLabels = screen.getByRole("group", { name: "Rule labels" });
    for (const [index, value] of [[1, "payments"], [2, "checkout"]] as const) {
      await user.click(within(ruleLabels).getByRole("button", { name: "Add a label" }));
      await user.type(within(ruleLabels).getByLabelText(`Label name ${index}`), "team");
      await user.type(within(ruleLabels).getByLabelText(`Label value ${index}`), value);
    }

    await user.click(screen.getByRole("button", { name: "Create rule" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("Each label name once: “team” is set on more than one row.");
    expect(ruleLabels).toHaveAccessibleDescription(/Each label name once/);
    expect(within(ruleLabels).getByRole("button", { name: "Add a label" })).toHaveFocus();
    expect(sent.filter((url) => url.pathname === "/api/alerts/rules/")).toEqual([]);
  });

  it("takes label names as free text when the metric's labels are not known", async () => {
    const bodies: Record<string, unknown>[] = [];
    server.use(
      http.get("/api/monitoring/metrics/:name/labels/", () => HttpResponse.json({ detail: "Not found." }, { status: 404 })),
      ...common(),
      http.post("/api/alerts/rules/evaluate/", async ({ request }) => {
        bodies.push((await request.json()) as Record<string, unknown>);
        return HttpResponse.json(evaluation({ metric_name: "checkout_queue" }));
      }),
    );
    const { user } = renderApp("/rules/new");
    await fillNewRule(user);
    const groupBy = screen.getByRole("group", { name: "Group by" });
    expect(await within(screen.getByRole("group", { name: "Label matchers" })).findByText(/not known here yet/)).toBeInTheDocument();
    expect(within(groupBy).queryByRole("checkbox")).not.toBeInTheDocument();
    await user.type(within(groupBy).getByLabelText("Group by a label"), "queue{Enter}");
    expect(within(groupBy).getByRole("checkbox", { name: "queue" })).toBeChecked();

    await user.click(screen.getByRole("button", { name: "Evaluate now" }));

    await waitFor(() => {
      expect(bodies).toHaveLength(1);
    });
    expect(bodies[0]).toMatchObject({ group_by: ["queue"], label_matchers: [], labels: {} });
  });

  it("tells a viewer they may not create rules, and asks nothing", async () => {
    server.use(handlers.signedInAs(viewer), ...common().slice(2));

    renderApp("/rules/new");

    expect(await screen.findByRole("alert")).toHaveTextContent("You do not have permission to create rules");
    expect(screen.queryByRole("button", { name: "Create rule" })).not.toBeInTheDocument();
  });
});
