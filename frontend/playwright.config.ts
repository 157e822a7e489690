import { defineConfig } from "@playwright/test";

// The machine's own Chromium (Debian's package): Playwright never downloads a browser here.
const CHROMIUM = "/usr/bin/chromium";

export default defineConfig({
  testDir: "./e2e",
  globalSetup: "./e2e/global-setup.ts",
  outputDir: "../test-artifacts/e2e/results",
  // One stack, one browser: the tests share the admin user and its sessions.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: true,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  use: {
    // Set by global-setup.ts once the stack answers.
    baseURL: process.env.E2E_BASE_URL,
    browserName: "chromium",
    headless: true,
    launchOptions: {
      executablePath: CHROMIUM,
      // No sandbox (tests run as root in CI), no GPU, and no calls home: this machine has no
      // network but the package registries, and Chromium's background requests would only fail.
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
      ],
    },
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
  },
});
