import { randomBytes } from "node:crypto";
import { expect, test } from "./fixtures";
import { signInAt } from "./helpers";

/**
 * An API token made on the Tokens page works for a script (a real HTTP request without the
 * browser's session), within its scope, until it is revoked there.
 */
test("a token made on the tokens page authenticates a script until it is revoked", async ({ page, playwright, baseURL }) => {
  const name = `E2E script ${randomBytes(3).toString("hex")}`;
  await signInAt(page, "/dashboard");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Tokens" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "API tokens" })).toBeVisible();

  const form = page.getByRole("form", { name: "New API token" });
  await form.getByLabel(/^Name/).fill(name);
  await form.getByLabel("Scope").selectOption("read");
  await form.getByLabel("Expires").selectOption("30");
  await form.getByRole("button", { name: "Create token" }).click();
  const shown = page.getByRole("status", { name: "New token" });
  await expect(shown).toContainText("you will not see it again");
  await expect(shown.getByRole("button", { name: "Copy the new key" })).toBeVisible();
  const key = ((await shown.locator("code.copy-line__text").textContent()) ?? "").trim();
  expect(key).toMatch(/^rst_/);

  // A script: no cookies, only the key.
  const script = await playwright.request.newContext({ baseURL: baseURL ?? "", extraHTTPHeaders: { Authorization: `Bearer ${key}` } });
  const me = await script.get("/api/auth/me/");
  expect(me.status()).toBe(200);
  expect(((await me.json()) as { username: string }).username).not.toBe("");
  const write = await script.post("/api/alerts/silences/", { data: {} });
  expect(write.status()).toBe(403);
  expect(((await write.json()) as { detail: string }).detail).toContain("scope is read");

  await shown.getByRole("button", { name: "Done" }).click();
  await expect(page.getByText(key)).toHaveCount(0);
  const row = page.getByRole("table", { name: "API tokens" }).getByRole("row").filter({ hasText: name });
  await expect(row).toContainText("read");
  await page.reload();
  await expect(row).toContainText(/from \S+/); // its last use, just now, and from where

  await row.getByRole("button", { name: `Revoke ${name}` }).click();
  const dialog = page.getByRole("dialog", { name: `Revoke ${name}?` });
  await dialog.getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Token ${name} revoked` })).toBeVisible();
  await expect(row).toContainText("Revoked");

  const after = await script.get("/api/auth/me/");
  expect(after.status()).toBe(401);
  expect(((await after.json()) as { detail: string }).detail).toBe("Token revoked.");
  await script.dispose();
});
