import { test as base, expect, type Page } from "@playwright/test";
import path from "node:path";
import { ARTIFACTS_DIR } from "./stack";

export { expect };

export const admin = {
  get username(): string {
    return process.env.E2E_USERNAME ?? "";
  },
  get password(): string {
    return process.env.E2E_PASSWORD ?? "";
  },
};

/** Every test fails on an uncaught exception or a console error in the page (a blocked script or
 * style, a missing asset), except the browser's notes on answers of 400 and 401: that is how the
 * API says a login was refused or that nobody is signed in. */
const EXPECTED_API_ANSWERS = /Failed to load resource: the server responded with a status of 40[01]\b/;
export const test = base.extend<{ pageProblems: string[] }>({
  pageProblems: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
      page.on("console", (message) => {
        if (message.type() === "error" && !EXPECTED_API_ANSWERS.test(message.text())) {
          problems.push(`console: ${message.text()}`);
        }
      });
      await use(problems);
      expect(problems).toEqual([]);
    },
    { auto: true },
  ],
});

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS_DIR, "screens", `${name}.png`), fullPage: true });
}

export async function signIn(page: Page, password = admin.password): Promise<void> {
  await page.getByLabel("User name").fill(admin.username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}
