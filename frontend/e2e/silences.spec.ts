import { randomBytes } from "node:crypto";
import type { Page } from "@playwright/test";
import { expect, screenshot, test } from "./fixtures";
import { signInAt } from "./helpers";

/** A request with the signed-in browser's session (and its CSRF token), as the dashboard sends it. */
async function api(page: Page, method: "GET" | "POST", url: string, data?: unknown): Promise<unknown> {
  const csrf = (await page.context().cookies()).find((cookie) => cookie.name === "csrftoken")?.value ?? "";
  const response = await page.request.fetch(url, {
    method,
    ...(data === undefined ? {} : { data }),
    headers: { "X-CSRFToken": csrf, Referer: page.url() },
  });
  expect(response.ok(), await response.text()).toBe(true);
  return response.json();
}

/**
 * Silence this alert, through the real stack: an alert fired by hand; on its page "4 h" opens the
 * silence form with the rule's name as its matcher and the preview finds this alert; the silence is
 * made from the alert (its page then says it is silenced, and its timeline who silenced it), and the
 * Silences page lists it with its matcher, comment and author, until it is expired there.
 */
test("a silence made from an alert's page holds it, and the silences page lists it until expired", async ({ page }) => {
  const ruleName = `E2E silence ${randomBytes(3).toString("hex")}`;
  const comment = `Deploying the fix for ${ruleName}`;

  await signInAt(page, "/rules");
  const rule = (await api(page, "POST", "/api/alerts/rules/", {
    name: ruleName, metric_name: "cpu_usage", condition: "gt", threshold_value: 1000, time_window_minutes: 5, severity: "high",
    slack_enabled: false, email_enabled: false, auto_resolve: false, notify_on_resolve: false,
  })) as { id: number };
  const alert = (await api(page, "POST", "/api/alerts/trigger/", { rule_id: rule.id, message: "Silence drill" })) as { id: number };

  await page.goto(`/alerts/${alert.id}`);
  await expect(page.getByRole("heading", { level: 1, name: new RegExp(ruleName) })).toBeVisible();
  await page.getByRole("group", { name: "Silence this alert" }).getByRole("button", { name: "4 h" }).click();
  const dialog = page.getByRole("dialog", { name: `Silence alert #${alert.id}` });
  await expect(dialog.getByLabel("Label 1")).toHaveValue("rule");
  await expect(dialog.getByLabel("Value 1")).toHaveValue(ruleName);
  const held = dialog.getByRole("region", { name: "Open alerts it would hold" });
  await expect(held).toContainText("1 open alert matches now.");
  await expect(held.getByRole("link", { name: `#${alert.id} ${ruleName}` })).toBeVisible();
  await expect(dialog.getByLabel("Comment")).toBeFocused();

  // Without a comment the server refuses, and says so beside the field.
  await dialog.getByRole("button", { name: "Add silence" }).click();
  await expect(dialog.getByLabel("Comment")).toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByLabel("Comment")).toHaveAccessibleDescription(/This field may not be blank\./);
  await dialog.getByLabel("Comment").fill(comment);
  await screenshot(page, "70-silence-from-alert");
  await dialog.getByRole("button", { name: "Add silence" }).click();
  await expect(dialog).toBeHidden();
  const outcome = page.getByRole("status").filter({ hasText: /Silence #\d+ added, until/ });
  await expect(outcome).toBeVisible();
  const silenceId = /Silence #(\d+) added/.exec((await outcome.textContent()) ?? "")?.[1] ?? "";
  expect(silenceId).not.toBe("");

  // The alert's page says what holds it, and its timeline who silenced it.
  await expect(page.getByRole("region", { name: "Held back" })).toContainText(`Silenced by silence #${silenceId}`);
  const timeline = page.getByRole("list", { name: "What happened, oldest first" });
  await expect(timeline.getByRole("listitem").filter({ hasText: "Silenced" })).toContainText("admin");

  // The Silences page lists it, active, with its matcher, comment and who made it.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Silences" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Silences" })).toBeVisible();
  const item = page.getByRole("listitem", { name: `Silence #${silenceId}` });
  await expect(item.getByRole("list", { name: `Matchers of silence #${silenceId}` })).toHaveText(`rule = ${ruleName}`);
  await expect(item).toContainText("Active");
  await expect(item).toContainText(comment);
  await expect(item).toContainText("Created byadmin");
  await screenshot(page, "71-silences");

  // Expired there, it leaves the active tab and is under Expired.
  await item.getByRole("button", { name: "Expire now" }).click();
  await expect(page.getByText(`Silence #${silenceId} expired`)).toBeVisible();
  await expect(item).toBeHidden();
  await page.getByRole("button", { name: "Expired" }).click();
  await expect(page).toHaveURL(/\/silences\?state=expired$/);
  await expect(page.getByRole("listitem", { name: `Silence #${silenceId}` })).toContainText("Expired");
});

/**
 * A maintenance window made in the dashboard: every day, all day in UTC (so it is open whenever the
 * test runs), matching one rule; the server says it is active now and when the next one starts, the
 * alert page of an open alert it matches says it is held, and it is gone after a confirmed delete.
 */
test("a maintenance window made in the dashboard is active now, holds a matching alert, and is deleted", async ({ page }) => {
  const ruleName = `E2E window ${randomBytes(3).toString("hex")}`;
  await signInAt(page, "/maintenance-windows");
  const rule = (await api(page, "POST", "/api/alerts/rules/", {
    name: ruleName, metric_name: "cpu_usage", condition: "gt", threshold_value: 1000, time_window_minutes: 5, severity: "low",
    slack_enabled: false, email_enabled: false, auto_resolve: false, notify_on_resolve: false,
  })) as { id: number };
  const alert = (await api(page, "POST", "/api/alerts/trigger/", { rule_id: rule.id })) as { id: number };

  await page.getByRole("button", { name: "Add maintenance window" }).click();
  const dialog = page.getByRole("dialog", { name: "Add a maintenance window" });
  for (const day of ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]) await dialog.getByLabel(day).check();
  await dialog.getByLabel("Start time").fill("00:00");
  await dialog.getByLabel("End time").fill("00:00");
  await dialog.getByLabel("Time zone").selectOption("UTC");
  await dialog.getByLabel("Label 1").fill("rule");
  await dialog.getByLabel("Value 1").fill(ruleName);
  await expect(dialog.getByRole("region", { name: "Open alerts it would hold" })).toContainText("1 open alert matches now.");
  await dialog.getByLabel("Comment").fill("All day, every day, for the test");
  await dialog.getByRole("button", { name: "Add window" }).click();

  const added = page.getByText(/Added maintenance window #\d+\./);
  await expect(added).toBeVisible();
  const windowId = /#(\d+)/.exec((await added.textContent()) ?? "")?.[1] ?? "";
  const item = page.getByRole("listitem", { name: `Maintenance window #${windowId}` });
  await expect(item).toContainText("Active now");
  await expect(item).toContainText("Every day, 00:00–00:00 (UTC)");
  await expect(item).toContainText(`rule = ${ruleName}`);
  await expect(item).toContainText(/Next start\s*\S/);
  await screenshot(page, "72-maintenance-windows");

  await page.goto(`/alerts/${alert.id}`);
  await expect(page.getByRole("region", { name: "Held back" })).toContainText(`Silenced by maintenance window #${windowId}`);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Maintenance" }).click();
  await page.getByRole("listitem", { name: `Maintenance window #${windowId}` }).getByRole("button", { name: "Delete" }).click();
  await page.getByRole("dialog", { name: `Delete maintenance window #${windowId}?` }).getByRole("button", { name: "Delete window" }).click();
  await expect(page.getByText(`Deleted maintenance window #${windowId}.`)).toBeVisible();
  await expect(page.getByRole("listitem", { name: `Maintenance window #${windowId}` })).toBeHidden();
});
