/** Steps the browser tests share: signing in, the status cards, the error log, pushing samples. */
import type { Locator, Page } from "@playwright/test";
import { expect, signIn } from "./fixtures";
import { manageInStack } from "./stack";

/** No part of the page may make it scroll sideways (tables scroll inside their own box). */
export async function expectNoHorizontalOverflow(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

export async function signInAt(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await signIn(page);
  // Back where it was going (the login page has a heading too).
  await expect(page).not.toHaveURL(/\/login/);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
}

/** A status card of the dashboard, by its title. */
export function card(page: Page, title: string): Locator {
  return page
    .getByRole("region", { name: "Current status" })
    .getByRole("article")
    .filter({ has: page.getByRole("heading", { level: 3, name: title, exact: true }) });
}

/** Waits until the CPU, memory and disk cards show the worker's measurements (percentages). */
export async function expectSystemCardsMeasured(page: Page): Promise<void> {
  const percent = /^\d+(\.\d+)?%$/;
  await expect(async () => {
    await page.getByRole("button", { name: "Refresh now" }).click();
    for (const title of ["CPU usage", "Memory usage", "Disk usage"]) {
      await expect(card(page, title).locator(".reading__value")).toHaveText(percent, { timeout: 2_000 });
    }
  }).toPass({ timeout: 120_000, intervals: [5_000] });
}

/** Pushes metric samples through the API with the browser's session (and its CSRF token). */
export async function pushSample(page: Page, name: string, value: number): Promise<void> {
  const cookies = await page.context().cookies();
  const csrf = cookies.find((cookie) => cookie.name === "csrftoken")?.value ?? "";
  const response = await page.request.post("/api/monitoring/metrics/", {
    data: { name, value },
    headers: { "X-CSRFToken": csrf, Referer: page.url() },
  });
  expect(response.status(), await response.text()).toBe(201);
}

/**
 * Errors logged by a process of the running system (a `manage.py shell`), each message starting
 * with `token`: one plain error and one with an exception (a traceback). The logging handler
 * groups them and writes them when the process exits.
 */
export async function logErrorsFromShell(token: string, what = "boom"): Promise<void> {
  await manageInStack("log two errors from a shell", [
    "shell",
    "-c",
    [
      "import logging",
      "log = logging.getLogger('e2e')",
      `log.error('${token} ${what} %s', 1)`,
      "try:\n    1 / 0\nexcept ZeroDivisionError:\n    log.exception('" + token + " crash')",
    ].join("\n"),
  ]);
}

/** Searches the error log for `token` from the main navigation; the table of what it found. */
export async function searchErrorLog(page: Page, token: string): Promise<Locator> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Error logs" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Error logs" })).toBeVisible();
  await page.getByLabel("Search").fill(token);
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(new RegExp(`/errors\\?q=${token}$`));
  return page.getByRole("table", { name: "Error groups" });
}

/** Ticks `row` and resolves it with the bulk action; checks the outcome said so. */
export async function bulkResolve(page: Page, row: Locator): Promise<void> {
  await row.getByRole("checkbox").check();
  await expect(page.getByText("1 error group selected")).toBeVisible();
  await page.getByRole("button", { name: "Resolve", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Resolved 1 error group." })).toBeVisible();
  await expect(row).toContainText("Resolved");
}

/**
 * Runs `traffic` while the stack's database tables `tables` are renamed away (from a `manage.py
 * shell`, as an operator's mistake or a failed migration would leave them): every request that
 * needs one answers 500, for real. The tables are put back whatever happens.
 */
export async function whileTablesAreMissing(tables: string[], traffic: () => Promise<void>): Promise<void> {
  const rename = (pairs: [string, string][]) =>
    [
      "from django.db import connection",
      "with connection.cursor() as cursor:",
      ...pairs.map(
        ([from, to]) =>
          `    cursor.execute('ALTER TABLE ' + connection.ops.quote_name('${from}') + ' RENAME TO ' + connection.ops.quote_name('${to}'))`,
      ),
    ].join("\n");
  const away = tables.map((table): [string, string] => [table, `${table}_e2e_away`]);
  await manageInStack(`rename away ${tables.join(", ")}`, ["shell", "-c", rename(away)]);
  try {
    await traffic();
  } finally {
    await manageInStack(`put back ${tables.join(", ")}`, ["shell", "-c", rename(away.map(([from, to]) => [to, from]))]);
  }
}
