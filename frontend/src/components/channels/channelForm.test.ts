import { describe, expect, it } from "vitest";
import { channel, channelKinds } from "../../test/fixtures";
import type { ChannelKind } from "../../types/alerts";
import { createBody, formErrors, initialValues, updateBody } from "./channelForm";

function kindOf(name: string): ChannelKind {
  const found = channelKinds().find((kind) => kind.kind === name);
  if (!found) throw new Error(name);
  return found;
}

describe("the channel form's values and body", () => {
  it("starts a new channel from the declared defaults and sends each setting as its type", () => {
    const email = kindOf("email");
    const values = initialValues(email, null);
    expect(values.settings).toEqual({ recipients: "", port: "587", use_tls: true });
    expect(values.secrets).toEqual({ password: "" });

    const body = createBody(email, {
      ...values,
      name: " Ops mail ",
      settings: { recipients: "a@example.com, b@example.com", port: " 2525 ", use_tls: false },
    });
    expect(body).toEqual({
      kind: "email",
      name: "Ops mail",
      is_active: true,
      settings: { recipients: "a@example.com, b@example.com", port: 2525, use_tls: false },
      secrets: {},
    });
    // A number that is not one goes as typed, for the server to name.
    expect(createBody(email, { ...values, settings: { ...values.settings, port: "lots" } }).settings).toMatchObject({ port: "lots" });
  });

  it("shows a stored channel's settings, never a secret, and changes only the secrets typed or removed", () => {
    const webhook = kindOf("webhook");
    const stored = channel({
      kind: "webhook",
      settings: { headers: { "X-Team": "ops", "X-Env": "prod" }, format: "plain" },
      secrets: { url: "set (…ab12)", authorization: "set (…cd34)" },
    });
    const values = initialValues(webhook, stored);
    expect(values.settings).toEqual({ headers: "X-Team: ops\nX-Env: prod", format: "plain" });
    expect(values.secrets).toEqual({ url: "", authorization: "" });

    expect(updateBody(webhook, values, false)).toEqual({
      name: "Ops Discord",
      is_active: true,
      settings: { headers: { "X-Team": "ops", "X-Env": "prod" }, format: "plain" },
      secrets: {},
    });
    const changed = { ...values, secrets: { url: "https://hooks.example.com/new", authorization: "" }, clear: { authorization: true } };
    expect(updateBody(webhook, changed, false).secrets).toEqual({ url: "https://hooks.example.com/new", authorization: "" });
    // A default channel takes only its name and switch.
    expect(updateBody(webhook, values, true)).toEqual({ name: "Ops Discord", is_active: true });
  });

  it("refuses a header line without a colon before sending", () => {
    const webhook = kindOf("webhook");
    const values = initialValues(webhook, null);
    expect(formErrors(webhook, { ...values, settings: { ...values.settings, headers: "X-Team: ops\nbroken" } })).toEqual({
      "settings.headers": ["Each line is Name: value (not: broken)."],
    });
    expect(formErrors(webhook, values)).toEqual({});
  });
});
