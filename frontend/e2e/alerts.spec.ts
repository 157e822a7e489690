import { randomBytes } from "node:crypto";
import { admin, expect, screenshot, test } from "./fixtures";
import {
  bulkResolve,
  expectNoHorizontalOverflow,
  expectSystemCardsMeasured,
  logErrorsFromShell,
  pushSample,
  searchErrorLog,
  signInAt,
} from "./helpers";
import { receivedSoFar } from "./receivers";

/**
 * The flow through the real stack: a rule on a pushed custom metric, refused once for a
 * bad field and then created; a breach that opens an alert the dashboard shows within its refresh;
 * why it fired; resolving it with a note; finding it resolved in the history; the statistics and
 * integrations pages; and an error this test caused, found and resolved in the error log.
 */
test("a rule on a pushed metric fires, is explained, resolved, counted, and the integrations deliver", async ({ page }) => {
  // The worker samples every 10 s and evaluates the rules every 5 s here; the dashboard refreshes
  // every 30 s.
  test.setTimeout(300_000);
  const suffix = randomBytes(3).toString("hex");
  const metric = `e2e_backlog_${suffix}`;
  const ruleName = `E2E backlog ${suffix}`;

  // Log in; the status cards show the worker's real values.
  await signInAt(page, "/dashboard");
  await expectSystemCardsMeasured(page);
  await screenshot(page, "30-dashboard-cards");

  // A sample of a custom metric, pushed through the API with the session.
  await pushSample(page, metric, 5);

  // A rule on it: first with a bad field, refused beside the field; then right.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Rules" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Rules" })).toBeVisible();
  await page.getByRole("link", { name: "New rule" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "New rule" })).toBeVisible();
  await page.getByLabel("Name").fill(ruleName);
  await page.getByLabel("Metric").selectOption(metric);
  await page.getByLabel("Condition").selectOption("gt");
  await page.getByLabel("Threshold", { exact: true }).fill("100");
  await page.getByLabel("Window (minutes)").fill("1");
  await page.getByLabel("Aggregation").selectOption("last");
  await page.getByLabel("Severity").selectOption("critical");
  await page.getByLabel("Notify Slack").check();
  await page.getByLabel("Slack channel").fill("e2e alerts");
  await page.getByLabel("Send email").check();
  await page.getByLabel("Email recipients").fill("oncall@example.com");
  await page.getByRole("button", { name: "Create rule" }).click();

  // The server's message beside the field it refused, the focus on it, and a summary.
  const channel = page.getByLabel("Slack channel");
  await expect(channel).toHaveAttribute("aria-invalid", "true");
  await expect(channel).toHaveAccessibleDescription(/Enter a Slack channel as #name or a user as @name/);
  await expect(channel).toBeFocused();
  await expect(page.getByRole("alert")).toContainText("One field needs attention");
  await expect(page.getByLabel("Email recipients")).toHaveAttribute("aria-invalid", "false");
  await screenshot(page, "31-rule-form-field-error");

  await channel.fill("#e2e-alerts");
  // Evaluate now, before saving: 5 is within the threshold.
  await page.getByRole("button", { name: "Evaluate now" }).click();
  const dryRun = page.getByRole("region", { name: "Evaluate now" });
  await expect(dryRun).toContainText("5 is not above 100: within the threshold.");
  await expect(dryRun).toContainText("Would do nothing.");
  await screenshot(page, "32-rule-form-evaluated");
  await page.getByRole("button", { name: "Create rule" }).click();

  await expect(page.getByRole("heading", { level: 1, name: ruleName })).toBeVisible();
  await expect(page.getByText(`Created “${ruleName}”.`, { exact: false })).toBeVisible();
  await expect(page.getByText(`Fires when ${metric} (last over 1 min) is above 100.`)).toBeVisible();
  await screenshot(page, "33-rule-detail");

  // Watch the dashboard, then push a value that breaches: the alert appears within the refresh
  // (the rules are evaluated every 5 s, the dashboard refreshes every 30 s), without a reload.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
  const openAlerts = page.getByRole("region", { name: /^Open alerts/ });
  await expect(openAlerts).toBeVisible();
  await expect(openAlerts.getByRole("link", { name: ruleName })).toHaveCount(0);
  await pushSample(page, metric, 500);
  const alertLink = openAlerts.getByRole("link", { name: ruleName });
  await expect(alertLink).toBeVisible({ timeout: 60_000 });
  const openAlert = openAlerts.getByRole("listitem").filter({ has: page.getByRole("link", { name: ruleName }) });
  await expect(openAlert).toContainText("Critical");
  await expect(openAlert).toContainText(`${metric} is 500, threshold > 100`);
  await screenshot(page, "34-dashboard-open-alert");

  // Why it fired.
  await alertLink.click();
  await expect(page.getByRole("heading", { level: 1, name: new RegExp(`Alert #\\d+\\s*${ruleName}`) })).toBeVisible();
  const alertUrl = page.url();
  const why = page.getByRole("region", { name: "Why it fired" });
  await expect(why).toContainText(`${metric} (last over 1 min) was 500, above the threshold of 100.`);
  const fact = (term: string) => why.getByText(term, { exact: true }).locator("+ dd");
  await expect(fact("Threshold")).toHaveText("> 100");
  await expect(fact("Window")).toHaveText("1 min");
  await expect(fact("Aggregation")).toHaveText("last");
  await expect(why.getByRole("figure", { name: /the values in the window/ }).locator("svg.recharts-surface")).toBeVisible();
  await why.getByText(/as a table$/).click();
  await expect(why.getByRole("table")).toContainText("500");
  // The notifications reached the stand-ins for Slack and the mail server.
  const deliveries = page.getByRole("table", { name: "Notifications" });
  await expect(async () => {
    await page.reload();
    await expect(deliveries.getByRole("row").filter({ hasText: "#e2e-alerts" })).toContainText("Sent", { timeout: 2_000 });
    await expect(deliveries.getByRole("row").filter({ hasText: "oncall@example.com" })).toContainText("Sent", { timeout: 2_000 });
  }).toPass({ timeout: 60_000, intervals: [2_000] });
  await expect(deliveries.getByRole("row").filter({ hasText: "#e2e-alerts" })).toContainText("200");
  const arrived = await receivedSoFar();
  expect(JSON.stringify(arrived.slack)).toContain(ruleName);
  expect(arrived.email.some((mail) => mail.to.includes("oncall@example.com") && mail.data.includes(ruleName))).toBe(true);
  await screenshot(page, "35-alert-detail");

  // On a phone the notifications scroll in their own box, and an address in "To" stays whole on
  // its line instead of stacking one character per line.
  await page.setViewportSize({ width: 375, height: 740 });
  const to = deliveries.getByRole("row").filter({ hasText: "oncall@example.com" }).locator("td", { has: page.locator("code") });
  await expect(to).toHaveText("oncall@example.com");
  const toBox = await to.boundingBox();
  const lineHeight = await to.locator("code").evaluate((element) => parseFloat(getComputedStyle(element).lineHeight));
  expect(toBox?.height ?? Infinity).toBeLessThan(3 * lineHeight);
  await expectNoHorizontalOverflow(page);
  await screenshot(page, "35-alert-detail-375px");
  await page.setViewportSize({ width: 1280, height: 720 });

  // Acknowledge it from its page: the page says who has it, also after a reload.
  await page.getByRole("button", { name: "Acknowledge…" }).click();
  const acknowledgeDialog = page.getByRole("dialog", { name: /^Acknowledge alert #\d+$/ });
  await expect(acknowledgeDialog.getByLabel("Comment")).toBeFocused();
  await acknowledgeDialog.getByLabel("Comment").fill("Draining the backlog");
  await acknowledgeDialog.getByRole("button", { name: "Acknowledge alert" }).click();
  await expect(acknowledgeDialog).toBeHidden();
  const acknowledgement = page.getByRole("region", { name: "Acknowledgement" });
  await expect(acknowledgement).toContainText(new RegExp(`Acknowledged by ${admin.username}, .+: Draining the backlog`));
  await page.reload();
  await expect(acknowledgement).toContainText(`Acknowledged by ${admin.username}`);
  await expect(acknowledgement.getByRole("button", { name: "Unacknowledge" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Acknowledge…" })).toHaveCount(0);

  // Resolve it with a note, in a dialog that holds the focus.
  const resolveButton = page.getByRole("button", { name: "Resolve…" });
  await resolveButton.click();
  const dialog = page.getByRole("dialog", { name: /^Resolve alert #\d+$/ });
  await expect(dialog.getByLabel("Notes")).toBeFocused();
  await dialog.getByLabel("Notes").fill("Drained the backlog by hand");
  await screenshot(page, "36-resolve-dialog");
  await dialog.getByRole("button", { name: "Resolve alert" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("status").filter({ hasText: /resolved with your notes/ })).toBeVisible();
  const resolution = page.getByRole("region", { name: "Resolution" });
  await expect(resolution).toContainText("Drained the backlog by hand");
  await expect(resolution).toContainText("admin");
  await expect(resolveButton).toHaveCount(0);

  // Found, resolved, in the history.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Alerts" }).click();
  const filters = page.getByRole("search", { name: "Filter the alert history" });
  await filters.getByLabel("Status").selectOption("resolved");
  await filters.getByLabel("Rule").selectOption({ label: ruleName });
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/\/alerts\?status=resolved&rule=\d+$/);
  const history = page.getByRole("table", { name: "Alerts" });
  await expect(history.getByRole("row")).toHaveCount(2);
  const row = history.getByRole("row").filter({ hasText: ruleName });
  await expect(row).toContainText("Resolved");
  await expect(row).toContainText("by admin");
  await expect(row.getByRole("link")).toHaveAttribute("href", new URL(alertUrl).pathname);
  await screenshot(page, "37-alert-history");

  // Found again by the words of its resolution notes, from an empty history filter.
  await page.goto("/alerts");
  await filters.getByRole("searchbox", { name: "Search" }).fill("drained backlog");
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/\/alerts\?search=drained\+backlog$/);
  await expect(history.getByRole("row")).toHaveCount(2);
  await expect(history.getByRole("row").filter({ hasText: ruleName })).toContainText("Resolved");
  await filters.getByRole("searchbox", { name: "Search" }).fill("drained nothing-else");
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByText("No alerts match these filters.")).toBeVisible();

  // The statistics count it.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Statistics" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Statistics" })).toBeVisible();
  await expect(page.getByRole("list", { name: "The rules that fired most" })).toContainText(ruleName);
  await expect(page.getByRole("list", { name: "Alerts by metric" })).toContainText(metric);
  await expect(page.getByRole("list", { name: "Alerts by severity" }).getByRole("listitem").first()).toContainText(/Critical[1-9]/);
  await expect(page.getByText("Resolved in the period", { exact: true }).locator("+ dd")).not.toHaveText("0");
  await expect(page.getByRole("table", { name: "Notifications per channel" }).getByRole("row").filter({ hasText: "Slack" })).toContainText("100%");
  const thirtyDays = page.waitForRequest((request) => request.url().includes("/api/alerts/stats/?days=30"));
  await page.getByRole("radio", { name: /^30 d/ }).click();
  await thirtyDays;
  await expect(page).toHaveURL(/\/statistics\?days=30$/);
  await expect(page.getByRole("list", { name: "The rules that fired most" })).toContainText(ruleName);
  await screenshot(page, "38-statistics");

  // The integrations: the default channels are configured here (the stand-ins), and a real test
  // send through each.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Integrations" }).click();
  const slackCard = page.getByRole("article", { name: "Slack (default)" });
  const emailCard = page.getByRole("article", { name: "Email (default)" });
  await expect(slackCard).toContainText("Configured");
  await expect(emailCard).toContainText("Configured");
  await slackCard.getByText("Send a test").click();
  const slackForm = slackCard.getByRole("form", { name: "Send a test through Slack (default)" });
  await slackForm.getByLabel("Message").fill(`Test from the browser ${suffix}`);
  await slackForm.getByRole("button", { name: "Send test" }).click();
  await expect(slackForm.getByText("Test message sent to #alerts. (reply 200)")).toBeVisible();
  await emailCard.getByText("Send a test").click();
  const emailForm = emailCard.getByRole("form", { name: "Send a test through Email (default)" });
  await emailForm.getByLabel("Recipients").fill("not an address");
  await emailForm.getByRole("button", { name: "Send test" }).click();
  await expect(emailForm.getByText("Not sent: check the fields.")).toBeVisible();
  await expect(emailForm.getByLabel("Recipients")).toHaveAttribute("aria-invalid", "true");
  await emailForm.getByLabel("Recipients").fill("test@example.com");
  await emailForm.getByRole("button", { name: "Send test" }).click();
  await expect(emailForm.getByText("Test message sent to test@example.com.")).toBeVisible();
  const afterTests = await receivedSoFar();
  expect(JSON.stringify(afterTests.slack)).toContain(`Test from the browser ${suffix}`);
  expect(afterTests.email.some((mail) => mail.to.includes("test@example.com"))).toBe(true);
  await screenshot(page, "39-integrations");

  // An error this test caused, found in the error log and resolved in bulk.
  const token = `e2e${suffix}alerts`;
  await logErrorsFromShell(token, "backlog check");
  const errors = await searchErrorLog(page, token);
  const logged = errors.getByRole("row").filter({ hasText: `${token} backlog check 1` });
  await bulkResolve(page, logged);
  await screenshot(page, "40-error-log-resolved");
});

test("every alerting screen fits a 360 px screen and a wall screen", async ({ page }) => {
  test.setTimeout(120_000);
  await signInAt(page, "/rules");
  const screens = [
    ["/dashboard", "Dashboard"],
    ["/alerts", "Alerts"],
    ["/rules", "Rules"],
    ["/rules/new", "New rule"],
    ["/statistics", "Statistics"],
    ["/integrations", "Integrations"],
    ["/policies", "Notification policies"],
    ["/silences", "Silences"],
    ["/maintenance-windows", "Maintenance windows"],
  ] as const;
  for (const [width, height, label] of [
    [360, 780, "360px"],
    [2560, 1440, "wall"],
  ] as const) {
    await page.setViewportSize({ width, height });
    for (const [path, heading] of screens) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
      await expect(page.getByRole("status").filter({ hasText: /^Loading/ })).toHaveCount(0);
      await expectNoHorizontalOverflow(page);
      await screenshot(page, `5${screens.findIndex(([p]) => p === path)}-${path.slice(1).replace(/\//g, "-")}-${label}`);
    }
  }
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.emulateMedia({ colorScheme: "dark" });
  for (const [path, heading] of screens) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
    await expect(page.getByRole("status").filter({ hasText: /^Loading/ })).toHaveCount(0);
    await screenshot(page, `6${screens.findIndex(([p]) => p === path)}-${path.slice(1).replace(/\//g, "-")}-dark`);
  }
});
