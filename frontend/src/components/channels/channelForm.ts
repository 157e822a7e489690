/**
 * The channel form's values and body, built from the kind's declaration (`GET
 * /api/alerts/channels/kinds/`): no kind has code of its own here. What a person types is kept as
 * text; the body gives each setting the shape its type declares, and the server judges the rest.
 */
import type { FieldErrors } from "../../api/client";
import type { ChannelInput, ChannelKind, ChannelKindName, ChannelSetting, NotificationChannel } from "../../types/alerts";

export interface ChannelFormValues {
  kind: string;
  name: string;
  is_active: boolean;
  /** Each plain setting as typed (a checkbox's as true or false). */
  settings: Record<string, string | boolean>;
  /** Each secret as typed: blank keeps the stored one. */
  secrets: Record<string, string>;
  /** Secrets to remove (sent as ""). */
  clear: Record<string, boolean>;
}

export function plainSettings(kind: ChannelKind): ChannelSetting[] {
  return kind.settings.filter((setting) => !setting.secret);
}

export function secretSettings(kind: ChannelKind): ChannelSetting[] {
  return kind.settings.filter((setting) => setting.secret);
}

/** A stored value (or the declared default) as the form shows it. */
function shown(setting: ChannelSetting, value: unknown): string | boolean {
  if (setting.type === "boolean") return value === true;
  if (value === null || value === undefined) return "";
  if (setting.type === "emails" && Array.isArray(value)) return value.map(String).join(", ");
  if (setting.type === "headers" && typeof value === "object" && !Array.isArray(value)) {
    return Object.entries(value as Record<string, unknown>)
      .map(([name, header]) => `${name}: ${String(header)}`)
      .join("\n");
  }
  if (typeof value === "string" || typeof value === "number") return String(value);
  return JSON.stringify(value);
}

/** A new channel's values (the declared defaults), or an existing channel's. */
export function initialValues(kind: ChannelKind, channel: NotificationChannel | null): ChannelFormValues {
  const stored = channel?.settings ?? {};
  const settings: Record<string, string | boolean> = {};
  for (const setting of plainSettings(kind)) {
    settings[setting.name] = shown(setting, channel ? stored[setting.name] : setting.default);
  }
  const secrets: Record<string, string> = {};
  for (const setting of secretSettings(kind)) secrets[setting.name] = "";
  return {
    kind: kind.kind,
    name: channel?.name ?? "",
    is_active: channel?.is_active ?? true,
    settings,
    secrets,
    clear: {},
  };
}

/** "Name: value" on each line, as the custom headers are typed. */
function parseHeaders(text: string): { headers: Record<string, string>; bad: string[] } {
  const headers: Record<string, string> = {};
  const bad: string[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) {
      bad.push(line.trim());
      continue;
    }
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return { headers, bad };
}

/** A number when the text reads as a whole one; the text otherwise, for the server to name. */
function integerOrText(text: string): number | string {
  const trimmed = text.trim();
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** What the form itself must refuse: what cannot be sent as the declared type (a header line
 * without a colon). Keyed as the server keys its errors. */
export function formErrors(kind: ChannelKind, values: ChannelFormValues): FieldErrors {
  const errors: Record<string, string[]> = {};
  for (const setting of plainSettings(kind)) {
    const value = values.settings[setting.name];
    if (setting.type === "headers" && typeof value === "string") {
      const { bad } = parseHeaders(value);
      if (bad.length > 0) errors[`settings.${setting.name}`] = [`Each line is Name: value (not: ${bad.join(", ")}).`];
    }
  }
  return errors;
}

/** The settings as the API takes them: blank ones left out, so that the kind's default applies. */
export function settingsOf(kind: ChannelKind, values: ChannelFormValues): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const setting of plainSettings(kind)) {
    const value = values.settings[setting.name];
    if (setting.type === "boolean") {
      body[setting.name] = value === true;
      continue;
    }
    if (typeof value !== "string" || value.trim() === "") continue;
    if (setting.type === "integer") body[setting.name] = integerOrText(value);
    else if (setting.type === "headers") body[setting.name] = parseHeaders(value).headers;
    else if (setting.type === "text") body[setting.name] = value;
    else body[setting.name] = value.trim();
  }
  return body;
}

/** The secrets to change: those typed, and those to remove; the others are kept as stored. */
export function secretsOf(kind: ChannelKind, values: ChannelFormValues): Record<string, string> {
  const body: Record<string, string> = {};
  for (const setting of secretSettings(kind)) {
    const typed = values.secrets[setting.name] ?? "";
    if (typed.trim() !== "") body[setting.name] = typed.trim();
    else if (values.clear[setting.name]) body[setting.name] = "";
  }
  return body;
}

/** The body of a new channel. */
export function createBody(kind: ChannelKind, values: ChannelFormValues): ChannelInput {
  return {
    kind: kind.kind as ChannelKindName,
    name: values.name.trim(),
    is_active: values.is_active,
    settings: settingsOf(kind, values),
    secrets: secretsOf(kind, values),
  };
}

/** The body of a change: every setting (they replace the stored ones), the secrets that change.
 * A default channel takes only its name and whether it is active. */
export function updateBody(kind: ChannelKind, values: ChannelFormValues, builtin: boolean) {
  if (builtin) return { name: values.name.trim(), is_active: values.is_active };
  return {
    name: values.name.trim(),
    is_active: values.is_active,
    settings: settingsOf(kind, values),
    secrets: secretsOf(kind, values),
  };
}

/** Where the form shows an error of the API: each setting's at the setting, the rest on top. */
export function fieldKey(setting: ChannelSetting): string {
  return `${setting.secret ? "secrets" : "settings"}.${setting.name}`;
}

/** The errors no field of the form shows (e.g. `settings` as a whole for a default channel). */
export function errorsElsewhere(kind: ChannelKind | undefined, errors: FieldErrors): string[] {
  const shownAt = new Set(["name", "is_active", "kind", ...(kind ? kind.settings.map(fieldKey) : [])]);
  return Object.entries(errors).flatMap(([path, messages]) => (shownAt.has(path) ? [] : messages.map((m) => `${path}: ${m}`)));
}

/** What a secret's field says under it: its help, and what is stored (never the value); `state`
 * is undefined for a channel not saved yet. */
export function secretHint(setting: ChannelSetting, state: string | undefined): string | undefined {
  let stored = "";
  if (state !== undefined) stored = state !== "not set" ? `Stored: ${state}. Leave blank to keep it.` : "Not set.";
  return [setting.help, stored].filter(Boolean).join(" ") || undefined;
}

/** What a plain setting's field says under it: its help, and the range of a number. */
export function settingHint(setting: ChannelSetting): string | undefined {
  const parts = [setting.help];
  if (setting.type === "emails") parts.push("Addresses separated by commas.");
  if (setting.type === "headers") parts.push("One header a line: Name: value.");
  if (setting.type === "integer" && setting.min_value !== null && setting.max_value !== null) {
    parts.push(`${setting.min_value} to ${setting.max_value}.`);
  }
  const hint = parts.filter(Boolean).join(" ");
  return hint || undefined;
}
