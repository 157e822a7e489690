import { randomBytes } from "node:crypto";
import type { Page } from "@playwright/test";
import { expect, screenshot, test } from "./fixtures";
import { signInAt } from "./helpers";
import { httpReceiverUrl, receivedSoFar } from "./receivers";

/** A JSON request to the API with the browser's session and its CSRF token. */
async function api(page: Page, method: "GET" | "POST" | "DELETE", url: string, data?: unknown): Promise<unknown> {
  const csrf = (await page.context().cookies()).find((cookie) => cookie.name === "csrftoken")?.value ?? "";
  const response = await page.request.fetch(url, {
    method,
    ...(data === undefined ? {} : { data }),
    headers: { "X-CSRFToken": csrf, Referer: page.url() },
  });
  expect(response.ok(), await response.text()).toBe(true);
  return response.status() === 204 ? null : response.json();
}

/** Adds a channel through the dashboard's form, which is built from the kind's declaration. */
async function addChannel(page: Page, kind: string, name: string, fields: Record<string, string>): Promise<void> {
  await page.getByRole("button", { name: "Add channel" }).click();
  const dialog = page.getByRole("dialog", { name: "Add a channel" });
  await dialog.getByLabel("Kind").selectOption(kind);
  await dialog.getByLabel("Name", { exact: true }).fill(name);
  for (const [label, value] of Object.entries(fields)) {
    await dialog.getByLabel(label, { exact: true }).fill(value);
  }
  await dialog.getByRole("button", { name: "Add channel" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("status").filter({ hasText: `Added ${name}.` })).toBeVisible();
  await expect(page.getByRole("article", { name })).toContainText("Configured");
}

/** Adds a policy through the dashboard: its matchers (label = value) and its channels. */
async function addPolicy(
  page: Page,
  name: string,
  matchers: [string, string][],
  channels: RegExp[],
  continues: boolean,
): Promise<void> {
  await page.getByRole("button", { name: "Add policy" }).click();
  const dialog = page.getByRole("dialog", { name: "Add a policy" });
  await dialog.getByLabel("Name", { exact: true }).fill(name);
  for (const [index, [label, value]] of matchers.entries()) {
    await dialog.getByRole("button", { name: "Add a matcher" }).click();
    await dialog.getByLabel(`Label ${index + 1}`, { exact: true }).fill(label);
    await dialog.getByLabel(`Value ${index + 1}`, { exact: true }).fill(value);
  }
  for (const channel of channels) await dialog.getByLabel(channel).check();
  if (continues) await dialog.getByLabel("Continue", { exact: true }).check();
  await dialog.getByRole("button", { name: "Add policy" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("status").filter({ hasText: `Added ${name}.` })).toBeVisible();
}

/**
 * The "done when": channels of three new kinds added in the dashboard, pointing at
 * receivers on 127.0.0.1; two policies made in the dashboard; a critical and a low alert fired;
 * each lands only where the policies send it.
 */
test("channels and policies made in the dashboard route a critical and a low alert where they belong", async ({ page }) => {
  test.setTimeout(180_000);
  const suffix = randomBytes(3).toString("hex");
  const receiver = httpReceiverUrl();
  const discordName = `Discord (#alerts) ${suffix}`;
  const pagerdutyName = `PagerDuty ${suffix}`;
  const webhookName = `Webhook ${suffix}`;
  const discordPath = `/discord/api/webhooks/1${suffix}/e2e-token-${suffix}`;
  const webhookPath = `/webhook/${suffix}`;
  const criticalRule = `E2E critical ${suffix}`;
  const lowRule = `E2E low ${suffix}`;

  await signInAt(page, "/integrations");
  await expect(page.getByRole("heading", { level: 1, name: "Integrations" })).toBeVisible();

  // Three channels, each form built from its kind's declaration.
  await addChannel(page, "discord", discordName, { "Webhook URL": `${receiver}${discordPath}` });
  await addChannel(page, "webhook", webhookName, { URL: `${receiver}${webhookPath}` });
  await addChannel(page, "pagerduty", pagerdutyName, {
    "Integration key": `e2e${suffix}routingkey0000000`,
    "Events API URL": `${receiver}/pagerduty/v2/enqueue`,
  });

  // A secret is never shown again: only that it is set, with its last characters.
  const discordCard = page.getByRole("article", { name: discordName });
  await discordCard.getByText("Settings", { exact: true }).click();
  await expect(discordCard.locator("dt", { hasText: "Webhook URL" }).locator("+ dd")).toHaveText(/^set \(….{4}\)$/);
  await expect(discordCard).not.toContainText(`e2e-token-${suffix}`);

  // A test through the Discord channel, with the receiver's answer.
  await discordCard.getByText("Send a test", { exact: true }).click();
  const testForm = discordCard.getByRole("form", { name: `Send a test through ${discordName}` });
  await testForm.getByRole("button", { name: "Send test" }).click();
  await expect(testForm.getByText(`Test message sent to ${discordName}. (reply 204)`)).toBeVisible();
  await screenshot(page, "70-channels");

  // The policies, in the dashboard: critical → PagerDuty (and go on), everything → Discord.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Policies" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Notification policies" })).toBeVisible();
  await addPolicy(page, `Critical pages ${suffix}`, [["severity", "critical"]], [new RegExp(`^${pagerdutyName}`)], true);
  await addPolicy(page, `Everything ${suffix}`, [], [new RegExp(`^Discord \\(#alerts\\) ${suffix}`)], false);
  const order = page.getByRole("list", { name: "Policies, in order" }).getByRole("listitem");
  await expect(order.filter({ hasText: `Critical pages ${suffix}` })).toContainText(`severity = critical → ${pagerdutyName}`);
  await expect(order.filter({ hasText: `Everything ${suffix}` })).toContainText(`every alert → ${discordName}`);

  // Reordered by dragging with the keyboard (the drag handle), and put back with a button.
  await page.getByRole("button", { name: `Drag Everything ${suffix} to another place` }).focus();
  // Each key waits for dnd-kit to announce the step before it: a key pressed before the drag has
  // started (or moved) is lost.
  const dragStatus = page.getByRole("status").filter({ hasText: /draggable item/i });
  await page.keyboard.press("Space");
  await expect(dragStatus).toHaveCount(1);
  const picked = (await dragStatus.textContent()) ?? "";
  await page.keyboard.press("ArrowUp");
  await expect(dragStatus).not.toHaveText(picked);
  await page.keyboard.press("Space");
  await expect(page.getByRole("status").filter({ hasText: `Moved Everything ${suffix} to place 1.` })).toBeVisible();
  await expect(order.first()).toContainText(`Everything ${suffix}`);
  await page.getByRole("button", { name: `Move Everything ${suffix} down` }).click();
  await expect(page.getByRole("status").filter({ hasText: `Moved Everything ${suffix} to place 2.` })).toBeVisible();
  await expect(order.first()).toContainText(`Critical pages ${suffix}`);

  // Where would a critical alert go? Both; a low one: Discord only.
  const preview = page.getByRole("form", { name: "Describe an alert" });
  await preview.getByLabel("Severity").selectOption("critical");
  await preview.getByRole("button", { name: "Show where it would go" }).click();
  const routes = page.getByRole("table", { name: "Where it would go" });
  await expect(routes.getByRole("row").filter({ hasText: pagerdutyName })).toContainText(`policy Critical pages ${suffix}`);
  await expect(routes.getByRole("row").filter({ hasText: discordName })).toContainText(`policy Everything ${suffix}`);
  await preview.getByLabel("Severity").selectOption("low");
  await preview.getByRole("button", { name: "Show where it would go" }).click();
  await expect(routes.getByRole("row").filter({ hasText: pagerdutyName })).toHaveCount(0);
  await expect(routes.getByRole("row").filter({ hasText: discordName })).toHaveCount(1);
  await screenshot(page, "71-policies");

  try {
    // Two rules of their own channels (none: only the policies route them), fired by hand.
    const rules: Record<string, number> = {};
    for (const [name, severity] of [
      [criticalRule, "critical"],
      [lowRule, "low"],
    ] as const) {
      const created = (await api(page, "POST", "/api/alerts/rules/", {
        name, metric_name: "cpu_usage", condition: "gt", threshold_value: 1000, time_window_minutes: 5, severity,
        slack_enabled: false, email_enabled: false,
        // Fired by hand and left open: nothing but the trigger is sent.
        auto_resolve: false, notify_on_resolve: false,
      })) as { id: number };
      rules[name] = created.id;
    }
    const fired: Record<string, number> = {};
    for (const name of [criticalRule, lowRule]) {
      const alert = (await api(page, "POST", "/api/alerts/trigger/", { rule_id: rules[name] })) as { id: number };
      fired[name] = alert.id;
    }

    // Each landed only where it should: the critical at PagerDuty (a trigger) and Discord, the low
    // at Discord only, nothing at the webhook.
    const about = (name: string) => (hook: { body: unknown }) => JSON.stringify(hook.body).includes(name);
    await expect(async () => {
      const { http } = await receivedSoFar();
      const discord = http.filter((hook) => hook.path === discordPath);
      const pagerduty = http.filter((hook) => hook.path === "/pagerduty/v2/enqueue");
      expect(discord.filter(about(criticalRule))).toHaveLength(1);
      expect(discord.filter(about(lowRule))).toHaveLength(1);
      expect(pagerduty.filter(about(criticalRule))).toHaveLength(1);
    }).toPass({ timeout: 60_000, intervals: [1_000] });
    const { http } = await receivedSoFar();
    const [page1] = http.filter((hook) => hook.path === "/pagerduty/v2/enqueue").filter(about(criticalRule));
    expect(page1?.method).toBe("POST");
    expect(page1?.body).toMatchObject({ event_action: "trigger", routing_key: `e2e${suffix}routingkey0000000` });
    expect(http.filter((hook) => hook.path === "/pagerduty/v2/enqueue").filter(about(lowRule))).toEqual([]);
    expect(http.filter((hook) => hook.path.startsWith(webhookPath))).toEqual([]);

    // The alert's page names the channels its notifications went through.
    await page.goto(`/alerts/${fired[criticalRule]}`);
    const deliveries = page.getByRole("table", { name: "Notifications" });
    await expect(deliveries.getByRole("row").filter({ hasText: pagerdutyName })).toContainText("Sent");
    await expect(deliveries.getByRole("row").filter({ hasText: discordName })).toContainText("Sent");
    await expect(deliveries.getByRole("row")).toHaveCount(3);
    await screenshot(page, "72-alert-deliveries-by-channel");

    // The channel's own page of deliveries counts them.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Integrations" }).click();
    const card = page.getByRole("article", { name: pagerdutyName });
    await expect(card).toContainText("Last 7 days: 1 sent, 0 failed");
    await card.getByText("Recent deliveries", { exact: true }).click();
    await expect(card.getByRole("table", { name: `Recent deliveries of ${pagerdutyName}` }).getByRole("row")).toHaveCount(2);
    await expect(page.getByRole("article", { name: webhookName })).toContainText("no delivery yet");
  } finally {
    // The policies would route the other tests' alerts: they go, with this test.
    const policies = (await api(page, "GET", "/api/alerts/policies/?page_size=200")) as { results: { id: number; name: string }[] };
    for (const policy of policies.results.filter((candidate) => candidate.name.endsWith(suffix))) {
      await api(page, "DELETE", `/api/alerts/policies/${policy.id}/`);
    }
  }
});
