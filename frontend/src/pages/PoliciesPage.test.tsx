import { screen, waitFor, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { channel, defaultChannels, page, policy, routePreview } from "../test/fixtures";
import { nth, renderApp } from "../test/render";
import { admin, handlers, server, viewer } from "../test/server";
import type { NotificationPolicy } from "../types/alerts";

const pagerduty = channel({ id: 4, kind: "pagerduty", kind_label: "PagerDuty", name: "PagerDuty", secrets: { routing_key: "set (…9f00)" } });
const discord = channel({ id: 3, name: "Discord (#alerts)" });
const critical = policy({ id: 1, name: "Critical pages", channels: [4], continue: true });
const everything = policy({ id: 2, name: "Everything", position: 1, matchers: [], channels: [3], continue: false });
const grouped = policy({
  id: 6, name: "Grouped", position: 2, matchers: [], channels: [3], continue: false,
  group_by: ["team", "route"], group_wait_seconds: 60, escalate_after_minutes: 15, escalation_channels: [4],
});

function common(list: NotificationPolicy[] = [critical, everything]) {
  return [handlers.csrf(), handlers.channels([...defaultChannels(), discord, pagerduty]), handlers.policies(list)];
}

function items(): HTMLElement[] {
  return within(screen.getByRole("list", { name: "Policies, in order" })).getAllByRole("listitem");
}

describe("PoliciesPage", () => {
  it("is linked from the navigation and lists the policies in order: matchers, channels, continue", async () => {
    server.use(handlers.signedInAs(admin), ...common(), ...handlers.dashboard());
    const { user } = renderApp("/dashboard");

    await user.click(within(await screen.findByRole("navigation", { name: "Main" })).getByRole("link", { name: "Policies" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Notification policies" })).toBeInTheDocument();
    await screen.findByRole("list", { name: "Policies, in order" });
    const [first, second] = [nth(items(), 0), nth(items(), 1)];
    expect(first).toHaveTextContent(/1\.\s*Critical pages/);
    expect(first).toHaveTextContent("Matches severity = critical → PagerDuty");
    expect(first).toHaveTextContent("Then continues to the next policies.");
    expect(second).toHaveTextContent(/2\.\s*Everything/);
    expect(second).toHaveTextContent("Matches every alert → Discord (#alerts)");
    expect(second).toHaveTextContent("Stops here when it matches.");
    expect(within(first).getByRole("button", { name: "Drag Critical pages to another place" })).toBeInTheDocument();
    expect(first).not.toHaveTextContent("Grouped by");
  });

  it("says a provisioned policy is read-only: no Edit or Delete", async () => {
    server.use(handlers.signedInAs(admin), ...common([{ ...grouped, provisioned: "team.yaml" }]));
    renderApp("/policies");

    await screen.findByRole("list", { name: "Policies, in order" });
    const item = nth(items(), 0);
    expect(item).toHaveTextContent("Provisioned from team.yaml: read-only.");
    expect(within(item).queryByRole("button", { name: "Edit Grouped" })).not.toBeInTheDocument();
    expect(within(item).queryByRole("button", { name: "Delete Grouped" })).not.toBeInTheDocument();
  });

  it("says how a policy groups its alerts and where it escalates", async () => {
    server.use(handlers.signedInAs(admin), ...common([grouped]));
    renderApp("/policies");

    await screen.findByRole("list", { name: "Policies, in order" });
    expect(nth(items(), 0)).toHaveTextContent("Grouped by team, route: waits 1 min, then every 5 min, repeats after 4 h.");
    expect(nth(items(), 0)).toHaveTextContent("Escalates after 15 min unacknowledged to PagerDuty.");
  });

  it("moves a policy with the keyboard-reachable buttons, and puts it back when the server refuses", async () => {
    const orders: unknown[] = [];
    server.use(
      handlers.signedInAs(admin),
      ...common(),
      http.post("/api/alerts/policies/reorder/", async ({ request }) => {
        const body = (await request.json()) as { order: number[] };
        orders.push(body);
        if (orders.length === 2) {
          return HttpResponse.json({ order: ["Name every policy once (missing: 7)."] }, { status: 400 });
        }
        return HttpResponse.json(body.order.map((id, position) => ({ ...(id === 1 ? critical : everything), position })));
      }),
    );
    const { user } = renderApp("/policies");

    await screen.findByRole("list", { name: "Policies, in order" });
    expect(within(nth(items(), 0)).getByRole("button", { name: "Move Critical pages up" })).toHaveAttribute("aria-disabled", "true");
    await user.click(within(nth(items(), 0)).getByRole("button", { name: "Move Critical pages down" }));
    expect(await screen.findByText("Moved Critical pages to place 2.")).toBeInTheDocument();
    expect(orders[0]).toEqual({ order: [2, 1] });
    expect(nth(items(), 0)).toHaveTextContent("Everything");
    expect(nth(items(), 1)).toHaveTextContent("Critical pages");

    await user.click(within(nth(items(), 1)).getByRole("button", { name: "Move Critical pages up" }));
    expect(await screen.findByText(/Could not reorder the policies/)).toBeInTheDocument();
    expect(orders[1]).toEqual({ order: [1, 2] });
    expect(nth(items(), 0)).toHaveTextContent("Everything");
  });

  it("adds a policy: name, matchers, channels, continue; each refused field said beside it", async () => {
    const bodies: unknown[] = [];
    let list = [critical];
    server.use(
      handlers.signedInAs(admin),
      http.get("/api/alerts/policies/", () => HttpResponse.json(page(list))),
      ...common(),
      http.post("/api/alerts/policies/", async ({ request }) => {
        const body = (await request.json()) as NotificationPolicy;
        bodies.push(body);
        if (bodies.length === 1) {
          return HttpResponse.json(
            { matchers: { "0": { value: ["Not a valid regular expression: missing )."] } }, channels: ["This list may not be empty."] },
            { status: 400 },
          );
        }
        const created = { ...body, id: 5, position: 1, created_at: "", updated_at: "" };
        list = [...list, created];
        return HttpResponse.json(created, { status: 201 });
      }),
    );
    const { user } = renderApp("/policies");

    await user.click(await screen.findByRole("button", { name: "Add policy" }));
    const dialog = screen.getByRole("dialog", { name: "Add a policy" });
    await user.type(within(dialog).getByLabelText("Name"), "Payments");
    await user.click(within(dialog).getByRole("button", { name: "Add a matcher" }));
    await user.type(within(dialog).getByLabelText("Label 1"), "team");
    await user.selectOptions(within(dialog).getByLabelText("Operator 1"), "=~");
    await user.type(within(dialog).getByLabelText("Value 1"), "pay(ments");
    await user.click(within(dialog).getByRole("button", { name: "Add policy" }));

    expect(await within(dialog).findByText("Not saved: check the fields.")).toBeInTheDocument();
    const value = within(dialog).getByLabelText("Value 1");
    expect(value).toHaveAttribute("aria-invalid", "true");
    expect(within(dialog).getByText("Not a valid regular expression: missing ).")).toBeInTheDocument();
    const channels = within(dialog).getByRole("group", { name: "Channels" });
    expect(channels).toHaveAccessibleDescription(/This list may not be empty\./);

    await user.clear(value);
    await user.type(value, "payments|billing");
    await user.click(within(dialog).getByLabelText(/^Discord \(#alerts\)/));
    await user.click(within(dialog).getByLabelText("Continue"));
    // Grouping: by a label its matchers name, offered; the timings in seconds, said in words.
    const grouping = within(dialog).getByRole("group", { name: "Grouping" });
    expect(within(grouping).queryByLabelText("Group wait (seconds)")).not.toBeInTheDocument();
    await user.click(within(grouping).getByLabelText("team"));
    await user.click(within(grouping).getByLabelText("severity"));
    const wait = within(grouping).getByLabelText("Group wait (seconds)");
    await user.clear(wait);
    await user.type(wait, "90");
    expect(wait).toHaveAccessibleDescription(/Now: 1 min 30 s\./);
    // Escalation: after 15 minutes unacknowledged, to PagerDuty.
    await user.type(within(dialog).getByLabelText("Escalate after (minutes)"), "15");
    await user.click(within(within(dialog).getByRole("group", { name: "Escalation channels" })).getByLabelText(/^PagerDuty/));
    await user.click(within(dialog).getByRole("button", { name: "Add policy" }));
    expect(await screen.findByText("Added Payments.")).toBeInTheDocument();
    expect(bodies[1]).toEqual({
      name: "Payments",
      matchers: [{ label: "team", op: "=~", value: "payments|billing" }],
      channels: [3],
      continue: true,
      is_active: true,
      group_by: ["team", "severity"],
      group_wait_seconds: 90,
      group_interval_seconds: 300,
      repeat_interval_seconds: 14400,
      escalate_after_minutes: 15,
      escalation_channels: [4],
    });
    await waitFor(() => {
      expect(items()).toHaveLength(2);
    });
  });

  it("edits and deletes a policy", async () => {
    const patches: unknown[] = [];
    let deleted = false;
    server.use(
      handlers.signedInAs(admin),
      ...common(),
      http.patch("/api/alerts/policies/2/", async ({ request }) => {
        patches.push(await request.json());
        return HttpResponse.json(everything);
      }),
      http.delete("/api/alerts/policies/2/", () => {
        deleted = true;
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const { user } = renderApp("/policies");

    await user.click(await screen.findByRole("button", { name: "Edit Everything" }));
    const dialog = screen.getByRole("dialog", { name: "Edit policy Everything" });
    expect(within(dialog).getByLabelText(/^Discord \(#alerts\)/)).toBeChecked();
    await user.click(within(dialog).getByLabelText(/^PagerDuty/));
    await user.click(within(dialog).getByRole("button", { name: "Save policy" }));
    expect(await screen.findByText("Saved Everything.")).toBeInTheDocument();
    expect(patches).toEqual([
      {
        name: "Everything",
        matchers: [],
        channels: [3, 4],
        continue: false,
        is_active: true,
        group_by: [],
        group_wait_seconds: 30,
        group_interval_seconds: 300,
        repeat_interval_seconds: 14400,
        escalate_after_minutes: null,
        escalation_channels: [],
      },
    ]);

    await user.click(screen.getByRole("button", { name: "Delete Everything" }));
    await user.click(within(screen.getByRole("dialog", { name: "Delete the policy Everything?" })).getByRole("button", { name: "Delete policy" }));
    expect(await screen.findByText("Deleted Everything.")).toBeInTheDocument();
    expect(deleted).toBe(true);
  });

  it("groups by every label, and shows the server's messages about grouping and escalation beside them", async () => {
    const patches: unknown[] = [];
    const grouped = policy({ id: 2, name: "Everything", position: 1, matchers: [], channels: [3], continue: false, group_by: ["route"], escalate_after_minutes: 30, escalation_channels: [4] });
    server.use(
      handlers.signedInAs(admin),
      ...common([critical, grouped]),
      http.patch("/api/alerts/policies/2/", async ({ request }) => {
        patches.push(await request.json());
        if (patches.length === 1) {
          return HttpResponse.json(
            { repeat_interval_seconds: ["Ensure this value is greater than or equal to 60."], escalation_channels: ["An escalation needs at least one channel."] },
            { status: 400 },
          );
        }
        return HttpResponse.json(grouped);
      }),
    );
    const { user } = renderApp("/policies");

    await user.click(await screen.findByRole("button", { name: "Edit Everything" }));
    const dialog = screen.getByRole("dialog", { name: "Edit policy Everything" });
    const grouping = within(dialog).getByRole("group", { name: "Grouping" });
    expect(within(grouping).getByLabelText("route")).toBeChecked();
    expect(within(dialog).getByLabelText("Escalate after (minutes)")).toHaveValue("30");
    const escalation = within(dialog).getByRole("group", { name: "Escalation channels" });
    expect(within(escalation).getByLabelText(/^PagerDuty/)).toBeChecked();
    await user.click(within(grouping).getByLabelText(/^Every label/));
    expect(within(grouping).queryByLabelText("route")).not.toBeInTheDocument();
    const repeat = within(grouping).getByLabelText("Repeat interval (seconds)");
    await user.clear(repeat);
    await user.type(repeat, "10");
    await user.click(within(escalation).getByLabelText(/^PagerDuty/));
    await user.click(within(dialog).getByRole("button", { name: "Save policy" }));

    expect(await within(dialog).findByText("Not saved: check the fields.")).toBeInTheDocument();
    expect(repeat).toHaveAttribute("aria-invalid", "true");
    expect(repeat).toHaveAccessibleDescription(/Ensure this value is greater than or equal to 60\./);
    expect(escalation).toHaveAccessibleDescription(/An escalation needs at least one channel\./);
    expect(patches[0]).toMatchObject({ group_by: ["..."], repeat_interval_seconds: 10, escalate_after_minutes: 30, escalation_channels: [] });
  });

  it("says where an alert described by severity, metric, rule and labels would go", async () => {
    const bodies: unknown[] = [];
    server.use(
      handlers.signedInAs(viewer),
      ...common(),
      http.post("/api/alerts/policies/preview/", async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json(
          routePreview({
            values: { severity: "critical", metric: "cpu_usage", rule: "", team: "payments" },
            routes: [
              { channel_id: 4, channel_name: "PagerDuty", kind: "pagerduty", target: "", is_active: true, via: "policy", policy_id: 1, policy_name: "Critical pages" },
              { channel_id: 3, channel_name: "Discord (#alerts)", kind: "discord", target: "", is_active: false, via: "policy", policy_id: 2, policy_name: "Everything" },
            ],
          }),
        );
      }),
    );
    const { user } = renderApp("/policies");

    // A viewer sees the order, changes nothing, and may still ask.
    await screen.findByRole("list", { name: "Policies, in order" });
    expect(screen.queryByRole("button", { name: "Add policy" })).toBeNull();
    expect(screen.queryByRole("button", { name: /^(Edit|Delete|Move|Drag)/ })).toBeNull();

    const form = screen.getByRole("form", { name: "Describe an alert" });
    await user.selectOptions(within(form).getByLabelText("Severity"), "critical");
    await user.type(within(form).getByLabelText("Metric"), "cpu_usage");
    await user.click(within(form).getByRole("button", { name: "Add a label" }));
    await user.type(within(form).getByLabelText("Label name 1"), "team");
    await user.type(within(form).getByLabelText("Label value 1"), "payments");
    await user.click(within(form).getByRole("button", { name: "Show where it would go" }));

    const table = await screen.findByRole("table", { name: "Where it would go" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(nth(rows, 0)).toHaveTextContent(/PagerDuty\s*pagerduty\s*its own destination\s*policy Critical pages/);
    expect(nth(rows, 1)).toHaveTextContent(/Discord \(#alerts\)\s*Off: nothing sent/);
    expect(bodies).toEqual([{ severity: "critical", metric: "cpu_usage", rule: "", labels: { team: "payments" } }]);
  });
});
