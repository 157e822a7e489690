import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "./fixtures";
import { signInAt } from "./helpers";
import { httpReceiverUrl } from "./receivers";
import { manageInStack } from "./stack";

const suffix = randomBytes(3).toString("hex");
const fileName = `e2e-${suffix}.yaml`;
const ruleName = `E2E provisioned rule ${suffix}`;
const channelName = `E2E provisioned channel ${suffix}`;
// The channel's secret is a reference, resolved from the environment of the process that provisions.
const secretVariable = `RESEE_E2E_PROVISIONED_WEBHOOK_URL_${suffix.toUpperCase()}`;
let directory = "";

/** Provisioning as beat runs it (configuration.provisioning.provision) over `directory`, against
 * the running stack's database; any file with problems fails the step. The shared stack is not
 * started with PROVISIONING_DIR, so that the other specs see none of this file's objects. */
async function provision(label: string): Promise<void> {
  const code = [
    "from configuration.provisioning import provision",
    `outcome = provision(${JSON.stringify(directory)})`,
    "bad = {name: result for name, result in outcome.items() if 'errors' in result}",
    "assert not bad, bad",
  ].join("\n");
  await manageInStack(label, ["shell", "-c", code]);
}

test.beforeAll(async () => {
  directory = mkdtempSync(path.join(tmpdir(), "resee-e2e-provisioning-"));
  process.env[secretVariable] = `${httpReceiverUrl()}/provisioned/${suffix}`;
  writeFileSync(
    path.join(directory, fileName),
    [
      "apiVersion: resee/v1",
      "channels:",
      `- name: ${channelName}`,
      "  kind: webhook",
      "  secrets:",
      `    url: \${${secretVariable}}`,
      "rules:",
      `- name: ${ruleName}`,
      "  metric_name: cpu_usage",
      "  condition: gt",
      "  threshold_value: 100.0",
      "  severity: low",
      `  channels: [${channelName}]`,
      "",
    ].join("\n"),
  );
  await provision(`provision ${fileName}`);
});

test.afterAll(async () => {
  if (!directory) return;
  // A file that is gone takes what it provisioned with it.
  rmSync(path.join(directory, fileName), { force: true });
  await provision(`provision without ${fileName}`);
  rmSync(directory, { recursive: true, force: true });
});

/**
 * Configuration as code through the real stack: a rule and a channel from a provisioning file are
 * shown read-only in the dashboard, with the file they come from and none of the controls that
 * change them; and the API, asked with the browser's session, refuses a change with a 409 naming the file.
 */
test("a provisioned rule and channel are read-only in the dashboard and the API", async ({ page }) => {
  const notice = `Provisioned from ${fileName}: read-only.`;

  await signInAt(page, "/rules");
  const found = await page.request.get(`/api/alerts/rules/?search=${encodeURIComponent(ruleName)}`);
  const listed = ((await found.json()) as { results: { id: number; name: string }[] }).results;
  const ruleId = listed.find((rule) => rule.name === ruleName)?.id;
  expect(ruleId).toBeTruthy();
  await page.goto(`/rules/${ruleId}`);
  await expect(page.getByRole("heading", { level: 1, name: ruleName })).toBeVisible();
  await expect(page.getByText(notice, { exact: true })).toBeVisible();
  const actions = page.getByRole("group", { name: "Actions on this rule" });
  await expect(actions.getByRole("button", { name: "Evaluate now" })).toBeVisible();
  await expect(actions.getByRole("link", { name: "Edit" })).toHaveCount(0);
  await expect(actions.getByRole("button", { name: /^Switch (off|on)$/ })).toHaveCount(0);
  await expect(actions.getByRole("button", { name: "Delete…" })).toHaveCount(0);

  await page.goto("/integrations");
  const card = page.getByRole("article", { name: channelName });
  await expect(card).toContainText(notice);
  await expect(card.getByRole("button", { name: `Edit ${channelName}` })).toHaveCount(0);
  await expect(card.getByRole("button", { name: `Delete ${channelName}` })).toHaveCount(0);
  await expect(card.getByRole("switch")).toHaveCount(0);

  const csrf = (await page.context().cookies()).find((cookie) => cookie.name === "csrftoken")?.value ?? "";
  const refused = await page.request.patch(`/api/alerts/rules/${ruleId}/`, {
    data: { threshold_value: 90 },
    headers: { "X-CSRFToken": csrf, Referer: page.url() },
  });
  expect(refused.status()).toBe(409);
  expect(((await refused.json()) as { detail: string }).detail).toBe(
    `provisioned from ${fileName}: change the file (the API cannot change it).`,
  );
  const after = await page.request.get(`/api/alerts/rules/${ruleId}/`);
  expect(((await after.json()) as { threshold_value: number }).threshold_value).toBe(100);
});
