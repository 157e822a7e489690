import { randomBytes } from "node:crypto";
import type { Page } from "@playwright/test";
import { expect, screenshot, test } from "./fixtures";
import { signInAt, whileTablesAreMissing } from "./helpers";
import { receivedSoFar } from "./receivers";

// Two routes of the stack's own API made to answer 500 (their tables renamed away for a moment)
// at different rates, and one that stays healthy.
const AI_USAGE = "/api/monitoring/ai-usage/";
const ERROR_LOG = "/api/monitoring/errors/";
const HEALTHY = "/api/alerts/rules/";
const RUNBOOK = "https://wiki.example.com/runbooks/api-5xx";

/** Requests with the signed-in browser's session (and its CSRF token), as the dashboard sends them. */
async function call(page: Page, method: "GET" | "POST", path: string): Promise<number> {
  const csrf = (await page.context().cookies()).find((cookie) => cookie.name === "csrftoken")?.value ?? "";
  const response = await page.request.fetch(path, {
    method,
    headers: { "X-CSRFToken": csrf, Referer: page.url() },
    data: method === "POST" ? { provider: "openai", model: "gpt-4o-mini", input_tokens: 10 } : undefined,
  });
  return response.status();
}

async function answers(page: Page, times: number, method: "GET" | "POST", path: string): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < times; i += 1) statuses.push(await call(page, method, path));
  return statuses;
}

/** The Slack messages about `ruleName` that name `route`. */
async function slackMessagesAbout(ruleName: string, route: string): Promise<number> {
  const { slack } = await receivedSoFar();
  return slack.map((message) => JSON.stringify(message.body)).filter((text) => text.includes(ruleName) && text.includes(route)).length;
}

/**
 * The "done when": one rule, api_error_rate > 5 % per route with a pending period and a
 * runbook, made in the rule form; real traffic makes two routes answer 500 at different rates while
 * another stays healthy; the dashboard's open alerts show one alert per failing route under the
 * rule, the rule's page shows the groups pending then firing, and Slack got one message per
 * failing route with the route and the runbook.
 */
test("a rule grouped by route opens one alert per failing route, pending first, one Slack message each", async ({ page }) => {
  // Traffic is rolled up per minute, the rules are evaluated every 5 s here, and the groups wait
  // their one-minute pending period before they fire.
  test.setTimeout(420_000);
  const ruleName = `E2E 5xx per route ${randomBytes(3).toString("hex")}`;

  await signInAt(page, "/rules/new");
  await expect(page.getByRole("heading", { level: 1, name: "New rule" })).toBeVisible();
  await page.getByLabel("Name").fill(ruleName);
  await page.getByLabel("Metric").selectOption("api_error_rate");
  await page.getByLabel("Condition").selectOption("gt");
  await page.getByLabel("Threshold", { exact: true }).fill("5");
  await page.getByLabel("Window (minutes)").fill("5");
  await page.getByLabel("Severity").selectOption("high");
  // Typed in (the labels the metric's series already have are offered as boxes too, when it has any).
  const groupBy = page.getByRole("group", { name: "Group by" });
  await groupBy.getByLabel(/^Group by (a|another) label$/).fill("route");
  await groupBy.getByRole("button", { name: "Add" }).click();
  await expect(groupBy.getByRole("checkbox", { name: "route", exact: true })).toBeChecked();
  await page.getByLabel("Pending for (minutes)").fill("1");
  await page.getByLabel("Summary").fill("{{ labels.route }} answers 5xx to {{ value | round(1) }} % of requests");
  await page.getByLabel("Runbook URL").fill(RUNBOOK);
  await page.getByLabel("Notify Slack").check();
  await page.getByLabel("Slack channel").fill("#e2e-api");
  await page.getByRole("button", { name: "Evaluate now" }).click();
  const dryRun = page.getByRole("region", { name: "Evaluate now" });
  await expect(dryRun).toContainText("A dry run: nothing was saved or sent.");
  // The summary as an alert opened now would get it (with no route failing yet, perhaps no value to round).
  await expect(dryRun.getByText("Summary preview:")).toBeVisible();
  await page.getByRole("button", { name: "Create rule" }).click();
  await expect(page.getByRole("heading", { level: 1, name: ruleName })).toBeVisible();
  const ruleUrl = page.url();

  // Traffic: some requests answered, then the two routes fail (3 of 5 and 2 of 10), and the
  // healthy route answers every time.
  expect(await answers(page, 2, "POST", AI_USAGE)).toEqual([201, 201]);
  expect(await answers(page, 8, "GET", ERROR_LOG)).toEqual(Array(8).fill(200));
  await whileTablesAreMissing(["monitoring_aiusage", "monitoring_errorlog"], async () => {
    expect(await answers(page, 3, "POST", AI_USAGE)).toEqual([500, 500, 500]);
    expect(await answers(page, 2, "GET", ERROR_LOG)).toEqual([500, 500]);
  });
  expect(await answers(page, 10, "GET", HEALTHY)).toEqual(Array(10).fill(200));

  // The rule's page: both failing routes pending first (not notified), then firing.
  const groups = page.getByRole("region", { name: `Groups of ${ruleName}` });
  const row = (route: string) => groups.getByRole("row", { name: new RegExp(`^Group route=${route.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} `) });
  await expect(async () => {
    await page.goto(ruleUrl);
    await expect(row(AI_USAGE)).toContainText("Pending", { timeout: 2_000 });
    await expect(row(ERROR_LOG)).toContainText("Pending", { timeout: 2_000 });
  }).toPass({ timeout: 150_000, intervals: [3_000] });
  expect(await slackMessagesAbout(ruleName, AI_USAGE)).toBe(0);
  await screenshot(page, "40-grouped-rule-pending");
  await expect(async () => {
    await page.goto(ruleUrl);
    await expect(row(AI_USAGE)).toContainText("Firing", { timeout: 2_000 });
    await expect(row(ERROR_LOG)).toContainText("Firing", { timeout: 2_000 });
  }).toPass({ timeout: 120_000, intervals: [3_000] });
  await expect(row(HEALTHY)).not.toContainText(/Firing|Pending/);
  await expect(row(AI_USAGE).getByRole("link", { name: /#\d+/ })).toBeVisible();
  await expect(row(HEALTHY).getByRole("link", { name: /#\d+/ })).toHaveCount(0);
  await screenshot(page, "41-grouped-rule-firing");

  // The dashboard: one entry for the rule, with one open alert per failing route.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
  const openAlerts = page.getByRole("region", { name: /^Open alerts/ });
  const entry = openAlerts.getByRole("listitem").filter({ has: page.getByRole("link", { name: ruleName, exact: true }) });
  await expect(entry).toHaveCount(1);
  await expect(entry).toContainText("2 open alerts");
  const chips = entry.getByRole("list", { name: `Groups of ${ruleName} open` }).getByRole("listitem");
  await expect.poll(async () => (await chips.allInnerTexts()).sort()).toEqual([`route=${AI_USAGE}`, `route=${ERROR_LOG}`]);
  await expect(entry).not.toContainText(HEALTHY);
  await screenshot(page, "42-dashboard-grouped-alerts");

  // Slack: exactly one message per failing route, with its route and the runbook; none for the healthy one.
  await expect.poll(() => slackMessagesAbout(ruleName, AI_USAGE), { timeout: 60_000 }).toBe(1);
  await expect.poll(() => slackMessagesAbout(ruleName, ERROR_LOG), { timeout: 60_000 }).toBe(1);
  const { slack } = await receivedSoFar();
  const about = slack.map((message) => JSON.stringify(message.body)).filter((text) => text.includes(ruleName));
  expect(about).toHaveLength(2);
  for (const text of about) expect(text).toContain(RUNBOOK);
  expect(about.some((text) => text.includes(HEALTHY))).toBe(false);
});
