import path from "node:path";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { expectSystemCardsMeasured, logErrorsFromShell, pushSample, signInAt } from "./helpers";
import { REPO_DIR } from "./stack";

/**
 * The documentation's screenshots (docs/screenshots/*.png), taken from the real stack in light and
 * dark colour schemes. Only `make screenshots` (SCREENSHOTS=1) runs this, so that an ordinary test
 * run never rewrites the committed pictures.
 */
const SCREENSHOTS_DIR = path.join(REPO_DIR, "docs", "screenshots");

test.skip(!process.env.SCREENSHOTS, "set SCREENSHOTS=1 (make screenshots) to refresh docs/screenshots");

/** A JSON request to the API with the browser's session and its CSRF token. */
async function api(page: Page, method: "POST" | "PATCH", url: string, data: unknown): Promise<unknown> {
  const csrf = (await page.context().cookies()).find((cookie) => cookie.name === "csrftoken")?.value ?? "";
  const response = await page.request.fetch(url, {
    method,
    data,
    headers: { "X-CSRFToken": csrf, Referer: page.url() },
  });
  expect(response.ok(), await response.text()).toBe(true);
  return response.json();
}

async function settled(page: Page, heading: string | RegExp): Promise<void> {
  await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: /^Loading/ })).toHaveCount(0);
  await page.waitForLoadState("networkidle");
  // Charts draw with a short animation.
  await page.waitForTimeout(1_500);
}

test("screenshots of the main pages, light and dark", async ({ page }) => {
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await signInAt(page, "/dashboard");

  // Something to show: the product document's CPU rule, a backlog rule that fires, a drill alert
  // triggered and resolved by hand, and two logged errors.
  const cpuRule = (await api(page, "POST", "/api/alerts/rules/", {
    name: "High CPU Usage", metric_name: "cpu_usage", condition: "gt", threshold_value: 80,
    time_window_minutes: 5, severity: "high", slack_enabled: true, slack_channel: "#system-alerts",
    description: "Alert when CPU usage exceeds 80% for 5 minutes",
  })) as { id: number };
  await pushSample(page, "checkout_queue", 42);
  const backlogRule = (await api(page, "POST", "/api/alerts/rules/", {
    name: "Checkout backlog", metric_name: "checkout_queue", condition: "gt", threshold_value: 100,
    time_window_minutes: 1, aggregation: "last", severity: "critical", slack_enabled: true,
    slack_channel: "#checkout", email_enabled: true, email_recipients: "ops@resee.com",
    description: "Orders waiting to be processed",
  })) as { id: number };
  const drill = (await api(page, "POST", "/api/alerts/trigger/", { rule_id: cpuRule.id, message: "Failover drill" })) as {
    id: number;
  };
  await api(page, "POST", `/api/alerts/history/${drill.id}/resolve/`, { notes: "Drill over: failover took 40 s." });
  await logErrorsFromShell("payment", "gateway timeout");
  await pushSample(page, "checkout_queue", 250);

  // The backlog alert opens within a few ticks (every 5 s here).
  let alertId = 0;
  await expect(async () => {
    const response = await page.request.get(`/api/alerts/history/?status=active&rule=${backlogRule.id}`);
    const body = (await response.json()) as { results: { id: number }[] };
    expect(body.results).toHaveLength(1);
    alertId = body.results[0]?.id ?? 0;
  }).toPass({ timeout: 60_000, intervals: [2_000] });
  await expectSystemCardsMeasured(page);

  const pages: [string, string, string | RegExp][] = [
    ["dashboard", "/dashboard", "Dashboard"],
    ["alerts", "/alerts", "Alerts"],
    ["alert", `/alerts/${alertId}`, /^Alert #/],
    ["rules", "/rules", "Rules"],
    ["rule-form", `/rules/${backlogRule.id}/edit`, /^Edit rule/],
    ["error-log", "/errors", "Error logs"],
  ];
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [name, address, heading] of pages) {
      await page.goto(address);
      await settled(page, heading);
      await page.screenshot({ path: path.join(SCREENSHOTS_DIR, `${name}-${scheme}.png`) });
    }
  }
});
