import { randomBytes } from "node:crypto";
import { expect, screenshot, test } from "./fixtures";
import { signInAt } from "./helpers";

/**
 * A heartbeat made in the dashboard, through the real stack: the Checks page adds it (with its
 * default rule), shows its ping URL with the curl lines, the URL pinged as a job would (no
 * sign-in) makes it up, and its page lists the ping among its results and links to its rule.
 */
test("a heartbeat added on the Checks page is up once its shown ping URL is pinged", async ({ page, playwright }) => {
  const name = `E2E backup ${randomBytes(3).toString("hex")}`;

  await signInAt(page, "/dashboard");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Checks" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Checks" })).toBeVisible();

  await page.getByRole("button", { name: "Add check" }).click();
  const dialog = page.getByRole("dialog", { name: "Add a check" });
  await dialog.getByLabel(/^Name/).fill(name);
  await dialog.getByLabel("Kind").selectOption("heartbeat");
  await dialog.getByLabel("Period (seconds)").fill("3600");
  await dialog.getByLabel("Grace (seconds)").fill("600");
  await expect(dialog.getByRole("checkbox", { name: `Also create the rule '${name} is down'` })).toBeChecked();
  await dialog.getByRole("button", { name: "Add check" }).click();
  await expect(dialog).toBeHidden();

  await expect(page.getByText(`Added check ${name}.`)).toBeVisible();
  const ruleLink = page.getByRole("link", { name: `The rule “${name} is down”` });
  await expect(ruleLink).toHaveAttribute("href", /^\/rules\/\d+$/);
  const ping = page.getByRole("region", { name: `Ping URL of ${name}` });
  const pingUrl = (await ping.locator(".copy-line__text").first().textContent()) ?? "";
  expect(pingUrl).toMatch(/\/ping\/[0-9a-f-]{36}\/$/);
  await expect(ping).toContainText(`curl -fsS -m 10 --retry 5 ${pingUrl}`);
  await expect(ping).toContainText(`curl -fsS -m 10 --retry 5 ${pingUrl}fail`);
  await screenshot(page, "80-checks-heartbeat-added");

  const row = page.getByRole("row", { name });
  await expect(row).toContainText("Unknown");

  // The job pings the URL shown, without signing in (a fresh context has no session).
  const job = await playwright.request.newContext();
  const answer = await job.get(pingUrl);
  expect(answer.status()).toBe(200);
  expect(await answer.text()).toBe("OK");
  await job.dispose();

  await page.reload();
  await expect(page.getByRole("row", { name })).toContainText("Up");
  await expect(page.getByRole("row", { name })).toContainText("Last ping:");
  await page.getByRole("row", { name }).getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.getByRole("main")).toContainText(/Up\s*since/);
  await expect(page.getByRole("region", { name: `Ping URL of ${name}` })).toContainText(pingUrl);
  await expect(page.getByRole("region", { name: "State" }).getByRole("link", { name: `${name} is down` })).toBeVisible();
  const results = page.getByRole("region", { name: "Results" });
  await expect(results.getByRole("row")).toHaveCount(2);
  await expect(results).toContainText("Up");
  await screenshot(page, "81-check-page");
});

/**
 * An HTTP check through the real API: a refused interval is said beside its field, the corrected
 * check is added, and Run now runs it at once and says what it found.
 */
test("an HTTP check's refused field is said beside it, and Run now runs the added check", async ({ page }) => {
  const name = `E2E site ${randomBytes(3).toString("hex")}`;
  await signInAt(page, "/checks");

  await page.getByRole("button", { name: "Add check" }).click();
  const dialog = page.getByRole("dialog", { name: "Add a check" });
  await dialog.getByLabel(/^Name/).fill(name);
  await dialog.getByLabel(/^URL/).fill(`${new URL(page.url()).origin}/health/`);
  await dialog.getByLabel("Interval (seconds)").fill("10");
  await dialog.getByRole("checkbox", { name: `Also create the rule '${name} is down'` }).uncheck();
  await dialog.getByRole("button", { name: "Add check" }).click();
  await expect(dialog.getByLabel("Interval (seconds)")).toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByRole("alert")).toContainText("Not saved: check the fields.");

  await dialog.getByLabel("Interval (seconds)").fill("60");
  await dialog.getByRole("button", { name: "Add check" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(`Added check ${name}.`)).toBeVisible();
  await expect(page.getByRole("link", { name: `The rule “${name} is down”` })).toHaveCount(0);

  const row = page.getByRole("row", { name });
  await row.getByRole("button", { name: `Run ${name} now` }).click();
  await expect(page.getByText(new RegExp(`^Ran ${name}: (up|down)`))).toBeVisible();
  await expect(row).not.toContainText("Unknown");
});
