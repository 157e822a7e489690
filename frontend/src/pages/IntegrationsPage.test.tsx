import { screen, waitFor, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { channel, defaultChannels, delivery, page } from "../test/fixtures";
import { nth, renderApp } from "../test/render";
import { admin, handlers, server, viewer } from "../test/server";
import type { NotificationChannel } from "../types/alerts";

const discord = channel({
  // Its own destination: the API answers one blank target.
  targets: [""],
  stats: { sent: 3, failed: 1, skipped: 0, pending: 0, failure_rate: 0.25, last_delivery_at: "2026-11-27T17:20:00Z" },
});

function common(list: NotificationChannel[] = [...defaultChannels(), discord]) {
  return [handlers.csrf(), handlers.pushTokens(), handlers.integrations(), handlers.channelKinds(), handlers.channels(list)];
}

function card(name: string): HTMLElement {
  return screen.getByRole("article", { name });
}

describe("IntegrationsPage", () => {
  it("lists the channels: kind, configured or why not, targets, the last 7 days, the summary", async () => {
    server.use(handlers.signedInAs(admin), ...common());

    renderApp("/integrations");

    const channels = await screen.findByRole("region", { name: "Channels" });
    const items = within(channels).getAllByRole("listitem");
    const [slack, email, ops] = [nth(items, 0), nth(items, 1), nth(items, 2)];
    expect(slack).toHaveTextContent("Slack (default)");
    expect(slack).toHaveTextContent("Not configured");
    expect(slack).toHaveTextContent("Slack is not configured: SLACK_WEBHOOK_URL is not set.");
    expect(slack).toHaveTextContent("Sends to #alerts");
    expect(slack).toHaveTextContent("Rules without a channel post to #alerts.");
    expect(email).toHaveTextContent("Email (default)");
    expect(email).toHaveTextContent(/Configured/);
    expect(ops).toHaveTextContent("Discord");
    expect(ops).toHaveTextContent("Sends to its own destination.");
    expect(ops).toHaveTextContent("Last 7 days: 3 sent, 1 failed");
    expect(ops).toHaveTextContent("25% failed");
    expect(within(ops).getByText(/last delivery/).querySelector("time")).toHaveAttribute("dateTime", "2026-11-27T17:20:00Z");
    expect(channels).toHaveTextContent("no recipients (ALERT_SUMMARY_RECIPIENTS is empty)");
    // The default channels cannot be deleted; the others can.
    expect(within(slack).queryByRole("button", { name: /^Delete/ })).toBeNull();
    expect(within(ops).getByRole("button", { name: "Delete Ops Discord" })).toBeInTheDocument();
  });

  it("adds a channel from the kind's declared settings, showing each refused field beside it", async () => {
    const bodies: unknown[] = [];
    let list = [...defaultChannels()];
    server.use(
      handlers.signedInAs(admin),
      http.get("/api/alerts/channels/", () => HttpResponse.json(page(list))),
      ...common(),
      http.post("/api/alerts/channels/", async ({ request }) => {
        const body = (await request.json()) as { name: string };
        bodies.push(body);
        if (bodies.length === 1) {
          return HttpResponse.json(
            {
              name: ["This field may not be blank."],
              settings: { headers: ["Host is set by Resee Alerts and cannot be set here."] },
              secrets: { url: ["Refused: the host resolves to a private address."] },
            },
            { status: 400 },
          );
        }
        if (bodies.length === 2) {
          return HttpResponse.json({ name: ["A channel named 'Ops' exists already."] }, { status: 409 });
        }
        const created = channel({ id: 9, kind: "webhook", kind_label: "Webhook", name: body.name, secrets: { url: "set (…0042)" } });
        list = [...list, created];
        return HttpResponse.json(created, { status: 201 });
      }),
    );
    const { user } = renderApp("/integrations");

    await user.click(await screen.findByRole("button", { name: "Add channel" }));
    const dialog = screen.getByRole("dialog", { name: "Add a channel" });
    const kind = within(dialog).getByLabelText("Kind");
    expect(kind).toHaveFocus();
    await user.selectOptions(kind, "webhook");
    expect(kind).toHaveAccessibleDescription("Alertmanager's webhook format, to any URL.");

    // The fields are the kind's declaration: a secret is a password field; help and required marks.
    const url = within(dialog).getByLabelText("URL");
    expect(url).toHaveAttribute("type", "password");
    expect(url).toHaveAttribute("aria-required", "true");
    expect(url).toHaveAccessibleDescription("Where to POST.");
    const headers = within(dialog).getByLabelText("Custom headers");
    expect(headers.tagName).toBe("TEXTAREA");
    expect(within(dialog).getByLabelText("Authorization header")).toHaveAttribute("type", "password");
    expect(within(dialog).getByLabelText("Format")).toHaveValue("alertmanager");

    await user.type(url, "http://10.0.0.1/hook");
    await user.type(headers, "Host: evil{Enter}X-Team: ops");
    await user.click(within(dialog).getByRole("button", { name: "Add channel" }));

    const name = within(dialog).getByLabelText("Name");
    expect(await within(dialog).findByText("Not saved: check the fields.")).toBeInTheDocument();
    expect(name).toHaveAttribute("aria-invalid", "true");
    expect(name).toHaveAccessibleDescription(/This field may not be blank\./);
    expect(headers).toHaveAttribute("aria-invalid", "true");
    expect(headers).toHaveAccessibleDescription(/Host is set by Resee Alerts and cannot be set here\./);
    expect(url).toHaveAttribute("aria-invalid", "true");
    expect(url).toHaveAccessibleDescription(/Refused: the host resolves to a private address\./);
    expect(bodies[0]).toEqual({
      kind: "webhook",
      name: "",
      is_active: true,
      settings: { headers: { Host: "evil", "X-Team": "ops" }, format: "alertmanager" },
      secrets: { url: "http://10.0.0.1/hook" },
    });

    await user.type(name, "Ops");
    await user.clear(headers);
    await user.type(headers, "X-Team: ops");
    await user.click(within(dialog).getByRole("button", { name: "Add channel" }));
    // A taken name (409) is said at the name.
    await waitFor(() => {
      expect(name).toHaveAccessibleDescription(/A channel named 'Ops' exists already\./);
    });
    expect(headers).toHaveAttribute("aria-invalid", "false");

    await user.type(name, " hook");
    await user.click(within(dialog).getByRole("button", { name: "Add channel" }));
    expect(await screen.findByText("Added Ops hook.")).toBeInTheDocument();
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(bodies[2]).toMatchObject({ name: "Ops hook", settings: { headers: { "X-Team": "ops" } } });
    expect(await screen.findByRole("article", { name: "Ops hook" })).toHaveTextContent("Webhook");
  });

  it("edits a channel: secrets show only what is stored, blank keeps them, a typed one replaces it", async () => {
    const bodies: unknown[] = [];
    server.use(
      handlers.signedInAs(admin),
      ...common(),
      http.patch("/api/alerts/channels/3/", async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json(discord);
      }),
    );
    const { user } = renderApp("/integrations");

    await user.click(await screen.findByRole("button", { name: "Edit Ops Discord" }));
    const dialog = screen.getByRole("dialog", { name: "Edit Ops Discord" });
    expect(within(dialog).queryByLabelText("Kind")).toBeNull();
    const name = within(dialog).getByLabelText("Name");
    expect(name).toHaveValue("Ops Discord");
    const webhook = within(dialog).getByLabelText("Webhook URL");
    expect(webhook).toHaveValue("");
    expect(webhook).toHaveAttribute("placeholder", "set (…ab12)");
    expect(webhook).toHaveAccessibleDescription("Stored: set (…ab12). Leave blank to keep it.");
    // Stored already: not required again.
    expect(webhook).not.toHaveAttribute("aria-required");
    expect(within(dialog).getByLabelText("Bot name")).toHaveValue("Resee");

    await user.clear(within(dialog).getByLabelText("Bot name"));
    await user.type(within(dialog).getByLabelText("Bot name"), "Alerts");
    await user.click(within(dialog).getByRole("button", { name: "Save channel" }));
    await waitFor(() => {
      expect(bodies).toHaveLength(1);
    });
    expect(bodies[0]).toEqual({ name: "Ops Discord", is_active: true, settings: { username: "Alerts" }, secrets: {} });
    expect(await screen.findByText("Saved Ops Discord.")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Edit Ops Discord" }));
    const again = screen.getByRole("dialog", { name: "Edit Ops Discord" });
    await user.type(within(again).getByLabelText("Webhook URL"), "https://discord.com/api/webhooks/1/new");
    await user.click(within(again).getByRole("button", { name: "Save channel" }));
    await waitFor(() => {
      expect(bodies).toHaveLength(2);
    });
    expect(bodies[1]).toMatchObject({ secrets: { webhook_url: "https://discord.com/api/webhooks/1/new" } });
  });

  it("changes only the name and the switch of a default channel", async () => {
    const bodies: unknown[] = [];
    server.use(
      handlers.signedInAs(admin),
      ...common(),
      http.patch("/api/alerts/channels/1/", async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json(defaultChannels()[0]);
      }),
    );
    const { user } = renderApp("/integrations");

    await user.click(await screen.findByRole("button", { name: "Edit Slack (default)" }));
    const dialog = screen.getByRole("dialog", { name: "Edit Slack (default)" });
    expect(dialog).toHaveTextContent("its settings come from SLACK_WEBHOOK_URL, SLACK_DEFAULT_CHANNEL and SLACK_BOT_NAME");
    expect(within(dialog).queryByLabelText("Webhook URL")).toBeNull();
    await user.click(within(dialog).getByRole("button", { name: "Save channel" }));
    await waitFor(() => {
      expect(bodies).toEqual([{ name: "Slack (default)", is_active: true }]);
    });
  });

  it("switches a channel off and deletes one after asking", async () => {
    const patches: unknown[] = [];
    let deleted = false;
    server.use(
      handlers.signedInAs(admin),
      ...common(),
      http.patch("/api/alerts/channels/3/", async ({ request }) => {
        patches.push(await request.json());
        return HttpResponse.json({ ...discord, is_active: false });
      }),
      http.delete("/api/alerts/channels/3/", () => {
        deleted = true;
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const { user } = renderApp("/integrations");

    await screen.findByRole("article", { name: "Ops Discord" });
    const toggle = within(card("Ops Discord")).getByRole("switch", { name: "Active" });
    expect(toggle).toBeChecked();
    await user.click(toggle);
    expect(await screen.findByText("Ops Discord is off.")).toBeInTheDocument();
    expect(patches).toEqual([{ is_active: false }]);

    await user.click(within(card("Ops Discord")).getByRole("button", { name: "Delete Ops Discord" }));
    const confirm = screen.getByRole("dialog", { name: "Delete Ops Discord?" });
    await user.click(within(confirm).getByRole("button", { name: "Delete channel" }));
    expect(await screen.findByText("Deleted Ops Discord.")).toBeInTheDocument();
    expect(deleted).toBe(true);
  });

  it("sends a test through a channel and shows the receiver's answer: 200, 400, 502, 429", async () => {
    const bodies: unknown[] = [];
    server.use(
      handlers.signedInAs(admin),
      ...common(),
      http.post("/api/alerts/channels/1/test/", async ({ request }) => {
        bodies.push(await request.json());
        if (bodies.length === 1) {
          return HttpResponse.json({ status: "sent", detail: "Test message sent to #ops.", delivery: delivery({ target: "#ops" }) });
        }
        if (bodies.length === 2) {
          return HttpResponse.json(
            { status: "not_configured", detail: "Slack is not configured: SLACK_WEBHOOK_URL is not set.", delivery: null },
            { status: 400 },
          );
        }
        if (bodies.length === 3) {
          return HttpResponse.json(
            { status: "failed", detail: "Slack answered HTTP 404: no_service.", delivery: delivery({ status: "failed" }) },
            { status: 502 },
          );
        }
        return HttpResponse.json(
          { detail: "Request was throttled. Expected available in 23 seconds." },
          { status: 429, headers: { "Retry-After": "23" } },
        );
      }),
    );
    const { user } = renderApp("/integrations");

    await screen.findByRole("article", { name: "Slack (default)" });
    const slack = card("Slack (default)");
    await user.click(within(slack).getByText("Send a test"));
    const form = within(slack).getByRole("form", { name: "Send a test through Slack (default)" });
    // The kind's target, named as the kind names it.
    const target = within(form).getByLabelText("Channel");
    expect(target).toHaveAccessibleDescription("Optional; blank: #alerts.");
    await user.type(target, "#ops");
    await user.type(within(form).getByLabelText("Message"), "Hello");
    const send = within(form).getByRole("button", { name: "Send test" });

    await user.click(send);
    expect(await within(form).findByText("Test message sent to #ops. (reply 200)")).toBeInTheDocument();
    expect(bodies[0]).toEqual({ target: "#ops", message: "Hello" });
    await user.click(send);
    expect(await within(form).findByText("Not sent: Slack is not configured: SLACK_WEBHOOK_URL is not set.")).toBeInTheDocument();
    await user.click(send);
    expect(await within(form).findByText("Refused: Slack answered HTTP 404: no_service.")).toBeInTheDocument();
    await user.click(send);
    const throttled = await within(form).findByText("Too many test sends: try again in 23 s.");
    expect(throttled.closest("[aria-live]")).not.toBeNull();
  });

  it("shows a channel's recent deliveries when asked", async () => {
    let asked = 0;
    server.use(
      handlers.signedInAs(admin),
      ...common(),
      http.get("/api/alerts/channels/3/deliveries/", () => {
        asked += 1;
        return HttpResponse.json({
          deliveries: [
            delivery({ id: 5, channel: "discord", channel_id: 3, channel_name: "Ops Discord", target: "", status: "failed", response_code: 404, last_error: "Unknown Webhook" }),
          ],
        });
      }),
    );
    const { user } = renderApp("/integrations");

    await screen.findByRole("article", { name: "Ops Discord" });
    expect(asked).toBe(0);
    await user.click(within(card("Ops Discord")).getByText("Recent deliveries"));
    const table = await screen.findByRole("table", { name: "Recent deliveries of Ops Discord" });
    const [row] = within(table).getAllByRole("row").slice(1);
    expect(row).toHaveTextContent(/Alert\s*Ops Discord\s*Failed\s*1\s*404/);
    expect(row).toHaveTextContent("Unknown Webhook");
  });

  it("lets a viewer see the channels and their settings, never a secret, and change nothing", async () => {
    server.use(handlers.signedInAs(viewer), ...common([...defaultChannels(), channel({ secrets: { webhook_url: "set" } })]));
    const { user } = renderApp("/integrations");

    await screen.findByRole("article", { name: "Ops Discord" });
    expect(screen.queryByRole("button", { name: "Add channel" })).toBeNull();
    const ops = card("Ops Discord");
    expect(within(ops).queryByRole("button", { name: /^Edit/ })).toBeNull();
    expect(within(ops).queryByRole("button", { name: /^Delete/ })).toBeNull();
    expect(within(ops).queryByRole("switch")).toBeNull();
    expect(within(ops).queryByText("Send a test")).toBeNull();
    await user.click(within(ops).getByText("Settings"));
    const webhook = within(ops).getByText("Webhook URL");
    expect(webhook.nextElementSibling).toHaveTextContent(/^set$/);
    expect(within(ops).getByText("Bot name").nextElementSibling).toHaveTextContent("Resee");
  });

  it("shows a failure to load with a way to try again", async () => {
    server.use(
      handlers.signedInAs(admin),
      http.get("/api/alerts/channels/", () => HttpResponse.json({ detail: "Boom." }, { status: 500 }), { once: true }),
      ...common(),
    );
    const { user } = renderApp("/integrations");

    const failure = await screen.findByRole("alert");
    expect(failure).toHaveTextContent("Could not load the channels");
    await user.click(within(failure).getByRole("button", { name: "Try again" }));
    expect(await screen.findByRole("region", { name: "Channels" })).toBeInTheDocument();
  });
});
