import { randomBytes } from "node:crypto";
import { admin, expect, test } from "./fixtures";
import { signInAt } from "./helpers";

/**
 * A rule's versions through the real stack: a threshold changed in the form is listed as a new
 * version by the signed-in user, with its old and new value; restoring the first version gives the
 * rule its old threshold again, and that restore is a version of its own.
 */
test("a changed threshold is a version by its author, and restoring the old version brings it back", async ({ page }) => {
  const ruleName = `E2E restorable ${randomBytes(3).toString("hex")}`;
  await signInAt(page, "/rules/new");
  await page.getByLabel("Name").fill(ruleName);
  await page.getByLabel("Metric").selectOption("cpu_usage");
  await page.getByLabel("Condition").selectOption("gt");
  await page.getByLabel("Threshold", { exact: true }).fill("80");
  await page.getByRole("button", { name: "Create rule" }).click();
  await expect(page.getByRole("heading", { level: 1, name: ruleName })).toBeVisible();

  await page.getByRole("link", { name: "Edit" }).click();
  await page.getByLabel("Threshold", { exact: true }).fill("95");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("heading", { level: 1, name: ruleName })).toBeVisible();
  await expect(page.getByRole("region", { name: "Settings", exact: true })).toContainText("95");

  const versions = page.getByRole("region", { name: "Versions", exact: true });
  const second = versions.getByRole("listitem", { name: "Version 2" });
  await expect(second).toContainText(`changed by ${admin.username} from the dashboard`);
  await expect(second.getByRole("row", { name: /threshold_value/ })).toContainText(/80\s*95/);

  await versions.getByRole("listitem", { name: "Version 1" }).getByRole("button", { name: "Restore this version" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Restore this version" }).click();
  await expect(versions).toContainText("Restored version 1");
  await expect(page.getByRole("region", { name: "Settings", exact: true })).toContainText("80");
  const third = versions.getByRole("listitem", { name: "Version 3" });
  await expect(third).toContainText(`changed by ${admin.username} from the dashboard`);
  await expect(third.getByRole("row", { name: /threshold_value/ })).toContainText(/95\s*80/);
});
