import { admin, expect, screenshot, signIn, test } from "./fixtures";
import { expectNoHorizontalOverflow, signInAt } from "./helpers";

test("an unauthenticated visit goes to the login page, remembering the page", async ({ page }) => {
  await page.goto("/");

  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await expect(page.getByLabel("User name")).toBeFocused();
  await screenshot(page, "01-login");

  await page.goto("/dashboard?from=bookmark");

  await expect(page).toHaveURL(/\/login\?next=%2Fdashboard%3Ffrom%3Dbookmark$/);
});

test("a wrong password is refused with a message", async ({ page }) => {
  await page.goto("/login");

  await signIn(page, "not-the-password");

  await expect(page.getByRole("alert")).toHaveText("Wrong username or password.");
  await expect(page.getByLabel("Password")).toBeFocused();
  await expect(page).toHaveURL(/\/login$/);
  await screenshot(page, "02-login-wrong-password");
});

test("signing in shows the real health and the user, and the session survives a reload", async ({ page }) => {
  const health: unknown = await (await page.request.get("/health/")).json();
  expect(health).toEqual({ status: "ok", checks: { database: "ok", broker: "ok", cache: "ok" } });

  await page.goto("/dashboard");
  await signIn(page);

  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  await expect(page.getByRole("banner")).toContainText(admin.username);
  const healthPanel = page.getByRole("region", { name: "System health" });
  await expect(healthPanel.getByText("All systems operational")).toBeVisible();
  for (const check of ["Database", "Task broker", "Cache"]) {
    await expect(healthPanel.getByRole("article").filter({ hasText: check })).toContainText("Operational");
  }
  await expect(page.getByText(/Updated \d+ s ago/)).toBeVisible();
  await screenshot(page, "03-dashboard");
  await page.emulateMedia({ colorScheme: "dark" });
  await screenshot(page, "03-dashboard-dark");
  await page.emulateMedia({ colorScheme: "light" });

  await page.getByRole("button", { name: "Pause auto-refresh" }).click();
  await expect(page.getByText("Auto-refresh paused", { exact: true })).toBeVisible();

  await page.reload();

  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  await expect(page.getByRole("banner")).toContainText(admin.username);

  await page.setViewportSize({ width: 360, height: 780 });
  await expect(healthPanel.getByText("All systems operational")).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await screenshot(page, "04-dashboard-360px");
});

test("a deep link to a client route opens in a signed-in browser", async ({ page, context }) => {
  await page.goto("/login");
  await signIn(page);
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();

  const tab = await context.newPage();
  const response = await tab.goto("/dashboard");

  expect(response?.status()).toBe(200);
  expect(response?.headers()["cache-control"]).toBe("no-cache");
  await expect(tab.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  await screenshot(tab, "05-deep-link");

  await tab.goto("/no/such/page");

  await expect(tab.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  await expect(tab.getByRole("navigation", { name: "Main" })).toBeVisible();
  await screenshot(tab, "06-unknown-route");
});

test("signing out returns to the login page and ends the session", async ({ page }) => {
  await page.goto("/login");
  await signIn(page);
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();

  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await screenshot(page, "07-signed-out");
  expect((await page.request.get("/api/auth/me/")).status()).toBe(401);

  await page.goto("/dashboard");

  await expect(page).toHaveURL(/\/login$/);
});

test("on a wide screen the sections sit in the top bar and there is no menu button", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await signInAt(page, "/dashboard");

  const banner = page.getByRole("banner");
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await expect(banner.getByRole("button", { name: "Sign out" })).toBeVisible();
  await expect(banner.getByRole("button", { name: "Menu" })).toBeHidden();
});

test("on a phone the navigation is one row with a menu button that opens the sections", async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await signInAt(page, "/dashboard");

  const banner = page.getByRole("banner");
  const menu = banner.getByRole("button", { name: "Menu" });
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(menu).toBeVisible();
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(nav).toBeHidden();
  // One row: the brand and the button side by side, the bar no taller than one of them with padding.
  const brand = await banner.getByRole("link", { name: "Resee Alerts" }).boundingBox();
  const button = await menu.boundingBox();
  const bar = await banner.boundingBox();
  if (!brand || !button || !bar) throw new Error("the top bar is not laid out");
  expect(Math.abs(brand.y + brand.height / 2 - (button.y + button.height / 2))).toBeLessThan(4);
  expect(bar.height).toBeLessThan(Math.max(brand.height, button.height) * 2);
  await expectNoHorizontalOverflow(page);
  await screenshot(page, "08-phone-menu-closed");

  await menu.click();
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await expect(nav).toBeVisible();
  await expect(banner.getByRole("button", { name: "Sign out" })).toBeVisible();
  await screenshot(page, "09-phone-menu-open");
  await page.keyboard.press("Escape");
  await expect(nav).toBeHidden();
  await expect(menu).toBeFocused();

  await menu.click();
  await nav.getByRole("link", { name: "Rules" }).click();
  await expect(page).toHaveURL(/\/rules$/);
  await expect(page.getByRole("heading", { level: 1, name: "Rules" })).toBeVisible();
  await expect(nav).toBeHidden();
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expectNoHorizontalOverflow(page);
});
