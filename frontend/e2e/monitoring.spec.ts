import { randomBytes } from "node:crypto";
import { expect, screenshot, test } from "./fixtures";
import {
  bulkResolve,
  card,
  expectNoHorizontalOverflow,
  logErrorsFromShell,
  searchErrorLog,
  signInAt,
} from "./helpers";

test("the dashboard shows the worker's measurements, and the time range changes the charts", async ({ page }) => {
  // The worker samples every 10 s here, and the overview is cached for 30 s.
  test.setTimeout(150_000);
  await signInAt(page, "/dashboard");
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();

  // Every card the worker's collection feeds, as this deployment can measure it: a value, or
  // "No data" for what it cannot (connections on SQLite, Redis without Redis), never a 0.
  const percent = /^\d+(\.\d+)?%$/;
  const postgres = process.env.DATABASE_URL?.startsWith("postgres") ?? false;
  const redis = Boolean(process.env.REDIS_URL);
  const reading = (title: string, label: string) =>
    card(page, title).locator(".reading", { hasText: label }).locator(".reading__value");
  await expect(async () => {
    await page.getByRole("button", { name: "Refresh now" }).click();
    const quick = { timeout: 2_000 };
    for (const title of ["CPU usage", "Memory usage", "Disk usage"]) {
      await expect(card(page, title).locator(".reading__value")).toHaveText(percent, quick);
    }
    // An average of the samples: a ping that missed its second makes it a fraction.
    await expect(reading("Celery", "Celery workers")).toHaveText(/^\d+(\.\d+)? workers?$/, quick);
    await expect(reading("Database", "Database connections")).toHaveText(
      postgres ? /^\d+(\.\d+)? connections?$/ : "No data",
      quick,
    );
    await expect(reading("Redis", "Redis memory")).toHaveText(redis ? /^\d+(\.\d+)? MB$/ : "No data", quick);
  }).toPass({ timeout: 120_000, intervals: [5_000] });

  // What the cards show is what the API says (the page may be a refresh behind the API: the disk
  // fills a little between two samples).
  const overview = (await (await page.request.get("/api/monitoring/overview/")).json()) as {
    metrics: { name: string; value: number | null }[];
  };
  const disk = overview.metrics.find((metric) => metric.name === "disk_usage")?.value;
  expect(disk).toEqual(expect.any(Number));
  const shown = Number.parseFloat((await card(page, "Disk usage").locator(".reading__value").textContent()) ?? "");
  expect(Math.abs(shown - (disk ?? Number.NaN))).toBeLessThan(1);

  const chart = page.getByRole("figure", { name: "CPU and memory" });
  await expect(chart.getByText(/^CPU usage: latest \d/)).toBeVisible();
  await expect(chart.locator("svg.recharts-surface").first()).toBeVisible();
  await expect(chart).toContainText("the last hour");
  await screenshot(page, "10-dashboard");
  await page.emulateMedia({ colorScheme: "dark" });
  await screenshot(page, "10-dashboard-dark");
  await page.emulateMedia({ colorScheme: "light" });

  // The axes' labels: the time axis names times over an hour, days over a week.
  const ticks = chart.locator(".recharts-cartesian-axis-tick-value");
  const weekday = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b/;
  const hourTicks = await ticks.allTextContents();
  expect(hourTicks.length).toBeGreaterThan(0);
  expect(hourTicks.filter((tick) => weekday.test(tick))).toEqual([]);
  const weekRequest = page.waitForRequest((request) => request.url().includes("/cpu_usage/series/?minutes=10080"));
  const routesRequest = page.waitForRequest((request) => request.url().includes("/endpoints/?minutes=1440"));
  await page.getByRole("radio", { name: /^7 d/ }).click();

  await weekRequest;
  await routesRequest;
  await expect(page).toHaveURL(/\/dashboard\?range=7d$/);
  await expect(page.getByRole("radio", { name: /^7 d/ })).toBeChecked();
  await expect(chart).toContainText("the last 7 days");
  await expect(chart.getByText(/^CPU usage: latest \d/)).toBeVisible();
  await expect.poll(async () => (await ticks.allTextContents()).filter((tick) => weekday.test(tick)).length).toBeGreaterThan(0);
  await expect(page.getByRole("region", { name: "API routes", exact: true })).toContainText("the last 24 hours");
  await screenshot(page, "11-dashboard-7d");

  await page.setViewportSize({ width: 360, height: 780 });
  await expect(card(page, "CPU usage")).toBeVisible();
  await expectNoHorizontalOverflow(page);
  await screenshot(page, "12-dashboard-360px");
});

test("an error logged by the system is found, resolved and deleted in the error log", async ({ page }) => {
  test.setTimeout(90_000);
  // A real log record from a process of the system: the handler groups it and writes it when the
  // process exits. One plain error and one with an exception (a traceback).
  const token = `e2e${randomBytes(4).toString("hex")}`;
  await logErrorsFromShell(token);

  await signInAt(page, "/dashboard");
  const table = await searchErrorLog(page, token);
  await expect(table.getByRole("row")).toHaveCount(3);
  const boom = table.getByRole("row").filter({ hasText: `${token} boom 1` });
  const crash = table.getByRole("row").filter({ hasText: `${token} crash` });
  await expect(boom).toContainText("Open");
  await expect(crash).toContainText("ZeroDivisionError");
  await screenshot(page, "20-error-log");

  await bulkResolve(page, boom);
  await expect(crash).toContainText("Open");
  await page.getByLabel("Status").selectOption("Resolved");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(new RegExp(`/errors\\?q=${token}&resolved=true$`));
  await expect(table.getByRole("row")).toHaveCount(2);
  await page.reload();
  await expect(table.getByRole("row")).toHaveCount(2);
  await expect(table).toContainText(`${token} boom 1`);
  await screenshot(page, "21-error-log-resolved");

  await page.getByLabel("Status").selectOption("Open and resolved");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await crash.getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1, name: /^Error #\d+$/ })).toBeVisible();
  const traceback = page.getByRole("region", { name: "Traceback" });
  await expect(traceback).toContainText("ZeroDivisionError: division by zero");
  await expect(page.getByText("Logger", { exact: true }).locator("+ dd")).toHaveText("e2e");
  await screenshot(page, "22-error-detail");
  await page.setViewportSize({ width: 360, height: 780 });
  await expectNoHorizontalOverflow(page);
  await screenshot(page, "23-error-detail-360px");
  await page.setViewportSize({ width: 1280, height: 720 });

  // Deleting asks first: the browser's modal dialog, focus on Cancel, Escape backs out.
  const deleteButton = page.getByRole("button", { name: "Delete…" });
  await deleteButton.click();
  const dialog = page.getByRole("dialog", { name: /^Delete error #\d+\?$/ });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await screenshot(page, "24-error-delete-dialog");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(deleteButton).toBeFocused();
  await deleteButton.click();
  await dialog.getByRole("button", { name: "Delete this error group" }).click();

  await expect(page).toHaveURL(new RegExp(`/errors\\?q=${token}$`));
  await expect(page.getByText(/^Deleted error #\d+\.$/)).toBeVisible();
  await expect(table.getByRole("row")).toHaveCount(2);
  await expect(table).toContainText(`${token} boom 1`);

  await page.setViewportSize({ width: 360, height: 780 });
  await expect(table).toBeVisible();
  await expectNoHorizontalOverflow(page);
  await screenshot(page, "25-error-log-360px");
});
