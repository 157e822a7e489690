import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { expect, screenshot, test } from "./fixtures";
import { signInAt } from "./helpers";

const run = promisify(execFile);

/** The stack's Celery beat: the process running `celery ... beat` with the stack's DATA_DIR. */
async function stackBeat(): Promise<number> {
  const dataDir = (JSON.parse(process.env.E2E_STACK_ENV ?? "{}") as Record<string, string>).DATA_DIR;
  expect(dataDir, "the stack's settings are shared by the global setup").toBeTruthy();
  const { stdout } = await run("ps", ["-e", "-o", "pid=,args="]);
  const beats: number[] = [];
  for (const line of stdout.split("\n")) {
    const match = /^(\d+)\s+(.*)$/.exec(line.trim());
    if (!match || !/celery .*\bbeat\b/.test(match[2] ?? "")) continue;
    const pid = Number(match[1]);
    try {
      if (readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(`DATA_DIR=${dataDir}`)) beats.push(pid);
    } catch {
      // gone, or not ours
    }
  }
  expect(beats, "one beat process belongs to the stack").toHaveLength(1);
  return beats[0] ?? 0;
}

/**
 * The self-watch in the browser: with the stack's beat stopped, no rule evaluation
 * completes, and within two check intervals (5 s each here) the dashboard's banner says so on every
 * page; once beat runs again and a tick completes, the banner goes. Beat is paused (SIGSTOP) rather
 * than killed, because the stack stops all of its processes when one of them exits; the test resumes
 * it whatever happens.
 */
test("with beat stopped the banner says no evaluation completed, and goes when ticks resume", async ({ page }) => {
  test.setTimeout(180_000);
  await signInAt(page, "/dashboard");
  const banner = page.getByRole("alert").filter({ hasText: "Resee itself needs attention" });
  const stale = banner.getByText(/No rule evaluation has completed since/);
  await expect(stale).toHaveCount(0);

  const lastTick = async () => {
    const health = await page.request.get("/api/monitoring/self-health/");
    expect(health.ok()).toBe(true);
    return Date.parse(((await health.json()) as { last_tick_at: string | null }).last_tick_at ?? "");
  };
  // A stack just started may not have completed its first tick yet.
  await expect(async () => {
    expect(await lastTick()).not.toBeNaN();
  }).toPass({ timeout: 30_000, intervals: [1_000] });

  const beat = await stackBeat();
  process.kill(beat, "SIGSTOP");
  try {
    // The last tick that completed before beat stopped (one may still complete after: later only).
    const lastTickAt = await lastTick();
    expect(lastTickAt).not.toBeNaN();
    await expect(async () => {
      await page.reload();
      await expect(stale).toBeVisible({ timeout: 3_000 });
    }).toPass({ timeout: 60_000, intervals: [3_000] });
    // Not before two intervals after that tick (beat may have stopped up to an interval after it).
    expect(Date.now() - lastTickAt).toBeGreaterThan(10_000);
    await expect(stale).toContainText("are Celery beat and a worker running?");
    await screenshot(page, "70-self-health-banner");
    // Every page says so, not only the dashboard.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Rules" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Rules" })).toBeVisible();
    await expect(stale).toBeVisible();
  } finally {
    process.kill(beat, "SIGCONT");
  }

  await expect(async () => {
    await page.reload();
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expect(stale).toHaveCount(0, { timeout: 3_000 });
  }).toPass({ timeout: 90_000, intervals: [5_000] });
});
