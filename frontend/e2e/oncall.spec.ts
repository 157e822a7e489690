import { randomBytes } from "node:crypto";
import type { APIResponse, Page } from "@playwright/test";
import { admin, expect, screenshot, test } from "./fixtures";
import { pushSample, signInAt } from "./helpers";
import { receivedSoFar } from "./receivers";

/** A request with the signed-in browser's session (and its CSRF token), as the dashboard sends it. */
async function api(page: Page, method: "GET" | "POST", path: string, data?: unknown): Promise<APIResponse> {
  const csrf = (await page.context().cookies()).find((cookie) => cookie.name === "csrftoken")?.value ?? "";
  return page.request.fetch(path, { method, data, headers: { "X-CSRFToken": csrf, Referer: page.url() } });
}

interface SlackButton {
  text?: { text?: string };
  url?: string;
}

/** The URL of the button labelled `label` in a Slack message's action blocks. */
function buttonUrl(body: unknown, label: string): string {
  const blocks = ((body as { blocks?: { type: string; elements?: SlackButton[] }[] }).blocks ?? []);
  for (const block of blocks) {
    for (const element of block.elements ?? []) {
      if (element.text?.text === label && element.url) return element.url;
    }
  }
  return "";
}

interface TimelineEntry {
  kind: string;
  event: string | null;
  status: string | null;
  text: string;
  actor: string | null;
  via: string | null;
}

async function timeline(page: Page, alertId: number): Promise<TimelineEntry[]> {
  const response = await api(page, "GET", `/api/alerts/history/${alertId}/timeline/`);
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()) as { entries: TimelineEntry[] }).entries;
}

/**
 * The on-call flow through the real stack: a rule fires, its trigger arrives in the local
 * Slack receiver with one-click links; a silence made from the alert page holds back the next
 * reminder (recorded, never sent); the Slack message's Acknowledge link opens a confirmation page
 * that changes nothing until it is confirmed; and the alert's timeline shows all of it.
 */
test("page, silence the reminder from the alert page, acknowledge from the Slack link, read the timeline", async ({ page }) => {
  // Rules are evaluated every 5 s here; a reminder is due a minute (the rule's cooldown) after the trigger.
  test.setTimeout(300_000);
  const suffix = randomBytes(3).toString("hex");
  const metric = `e2e_oncall_${suffix}`;
  const ruleName = `E2E on call ${suffix}`;

  await signInAt(page, "/dashboard");
  await pushSample(page, metric, 5);
  const created = await api(page, "POST", "/api/alerts/rules/", {
    name: ruleName, metric_name: metric, condition: "gt", threshold_value: 100, time_window_minutes: 1,
    aggregation: "last", severity: "high", slack_enabled: true, slack_channel: "#e2e-oncall", cooldown_minutes: 1,
  });
  expect(created.status(), await created.text()).toBe(201);
  const ruleId = ((await created.json()) as { id: number }).id;
  await pushSample(page, metric, 500);

  // The trigger reaches Slack with its Acknowledge, Silence 1 h and Resolve buttons.
  let acknowledgeUrl = "";
  await expect(async () => {
    const { slack } = await receivedSoFar();
    const trigger = slack.find((message) => JSON.stringify(message.body).includes(ruleName));
    expect(trigger).toBeDefined();
    acknowledgeUrl = buttonUrl(trigger?.body, "Acknowledge");
    expect(buttonUrl(trigger?.body, "Silence 1 h")).toMatch(/\/actions\/[^/]+\/$/);
    expect(buttonUrl(trigger?.body, "Resolve")).toMatch(/\/actions\/[^/]+\/$/);
  }).toPass({ timeout: 60_000, intervals: [2_000] });
  expect(acknowledgeUrl).toMatch(/\/actions\/[^/]+\/$/);
  const rule = (await (await api(page, "GET", `/api/alerts/rules/${ruleId}/`)).json()) as { open_alert_id: number };
  const alertId = rule.open_alert_id;
  expect(alertId).toBeGreaterThan(0);

  // A silence for an hour, from the alert page: prefilled with the alert's rule, previewed.
  await page.goto(`/alerts/${alertId}`);
  await expect(page.getByRole("heading", { level: 1, name: new RegExp(`Alert #${alertId}`) })).toBeVisible();
  await page.getByRole("group", { name: "Silence this alert" }).getByRole("button", { name: "1 h" }).click();
  const dialog = page.getByRole("dialog", { name: `Silence alert #${alertId}` });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(ruleName);
  await dialog.getByLabel("Comment").fill("E2E: on it, hold the reminders");
  await screenshot(page, "60-silence-from-alert");
  await dialog.getByRole("button", { name: "Add silence" }).click();
  await expect(dialog).toBeHidden();

  // The reminder a minute after the trigger is recorded as skipped by the silence, and never sent.
  await expect(async () => {
    const entries = await timeline(page, alertId);
    const reminder = entries.find((entry) => entry.kind === "delivery" && entry.event === "reminder");
    expect(reminder?.status).toBe("skipped");
    expect(reminder?.text).toMatch(/Silenced by silence #\d+/);
  }).toPass({ timeout: 150_000, intervals: [5_000] });
  const about = (await receivedSoFar()).slack.filter((message) => JSON.stringify(message.body).includes(ruleName));
  expect(about).toHaveLength(1);

  // The Slack message's Acknowledge link: a confirmation page; opening it changes nothing.
  await page.goto(acknowledgeUrl);
  const confirm = page.getByRole("button", { name: /Acknowledge/ });
  await expect(confirm).toBeVisible();
  await expect(page.getByText(ruleName)).toBeVisible();
  const before = (await (await api(page, "GET", `/api/alerts/history/${alertId}/`)).json()) as { acknowledged_at: string | null };
  expect(before.acknowledged_at).toBeNull();
  await screenshot(page, "61-action-link-confirm");
  await confirm.click();
  await expect(page.getByText(/acknowledged/i).first()).toBeVisible();
  const after = (await (await api(page, "GET", `/api/alerts/history/${alertId}/`)).json()) as {
    acknowledged_at: string | null; acknowledged_by: string | null;
  };
  expect(after.acknowledged_at).not.toBeNull();
  expect(after.acknowledged_by).toBe(admin.username);

  // The alert's timeline shows it all, in order.
  await page.goto(`/alerts/${alertId}`);
  const shown = page.getByRole("region", { name: "Timeline" });
  await expect(shown).toBeVisible();
  const entries = await timeline(page, alertId);
  const kinds = entries.map((entry) => (entry.kind === "delivery" ? `${entry.event}:${entry.status}` : entry.kind));
  const order = ["opened", "trigger:sent", "silenced", "reminder:skipped", "acknowledged"].map((kind) => kinds.indexOf(kind));
  expect(order.every((index) => index >= 0), kinds.join(", ")).toBe(true);
  expect(order).toEqual([...order].sort((a, b) => a - b));
  const acknowledged = entries.find((entry) => entry.kind === "acknowledged");
  expect(acknowledged?.via).toBe("link");
  await expect(shown).toContainText(/Silenced by silence #\d+/);
  await expect(shown).toContainText(admin.username);
  await screenshot(page, "62-alert-timeline");
});
