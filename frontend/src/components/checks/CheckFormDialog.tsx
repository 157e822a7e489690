import { useId, useRef, useState } from "react";
import type { ApiError, FieldErrors } from "../../api/client";
import { useSaveCheck } from "../../hooks/monitoring/useChecks";
import type { Check, CheckInput, CheckKind, CheckMethod } from "../../types/checks";
import { browserTimeZone } from "../silences/MaintenanceWindowFormDialog";
import { CheckboxField, Field } from "../ui/Field";
import { FormDialog } from "../ui/FormDialog";
import { CHECK_KIND_LABELS } from "./checkText";

const METHODS: readonly CheckMethod[] = ["GET", "HEAD", "POST"];
const KINDS: readonly CheckKind[] = ["http", "tcp", "heartbeat"];

/** The settings a new check starts with (the API's defaults). */
export function defaultCheckInput(kind: CheckKind = "http"): CheckInput {
  return {
    name: "",
    kind,
    is_active: true,
    interval_seconds: 60,
    timeout_seconds: 10,
    url: "",
    method: "GET",
    headers: {},
    expected_status: "200-299",
    body_contains: "",
    body_regex: false,
    follow_redirects: true,
    verify_tls: true,
    host: "",
    port: null,
    period_seconds: 86_400,
    grace_seconds: 3600,
    cron: "",
    time_zone: browserTimeZone(),
  };
}

function inputOf(check: Check): CheckInput {
  const {
    name, kind, is_active, interval_seconds, timeout_seconds, url, method, headers, expected_status,
    body_contains, body_regex, follow_redirects, verify_tls, host, port, period_seconds, grace_seconds, cron,
    time_zone,
  } = check;
  return {
    name, kind, is_active, interval_seconds, timeout_seconds, url, method, headers: { ...headers },
    expected_status, body_contains, body_regex, follow_redirects, verify_tls, host, port, period_seconds, grace_seconds,
    cron, time_zone,
  };
}

/** Headers as one "Name: value" a line, and back. */
export function headersText(headers: Readonly<Record<string, string>>): string {
  return Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join("\n");
}

export function parseHeaders(text: string): { headers: Record<string, string>; error: string | null } {
  const headers: Record<string, string> = {};
  for (const [index, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (!line) continue;
    const colon = line.indexOf(":");
    if (colon <= 0) {
      return { headers, error: `Line ${index + 1} is not "Name: value".` };
    }
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return { headers, error: null };
}

/** The field's messages, and those of its nested paths (headers.X-A). */
function errorsOf(errors: FieldErrors, field: string): string[] {
  return Object.entries(errors).flatMap(([path, messages]) => (path === field || path.startsWith(`${field}.`) ? messages : []));
}

interface NumberInputProps {
  value: number | null;
  onChange: (value: number | null) => void;
  min?: number;
  max?: number;
}

function numberProps({ value, onChange, min, max }: NumberInputProps) {
  return {
    type: "number" as const,
    inputMode: "numeric" as const,
    className: "field__input",
    value: value === null ? "" : String(value),
    min,
    max,
    onChange: (event: { target: { value: string } }) => {
      const raw = event.target.value.trim();
      onChange(raw === "" ? null : Number(raw));
    },
  };
}

interface CheckFormDialogProps {
  /** The check to change; null to add one. */
  check: Check | null;
  onDone: (saved: Check) => void;
  onCancel: () => void;
}

/** Add or edit a check: the fields of its kind, each refused field said beside it. */
export function CheckFormDialog({ check: existing, onDone, onCancel }: CheckFormDialogProps) {
  const prefix = useId().replace(/:/g, "");
  const nameRef = useRef<HTMLInputElement>(null);
  const [input, setInput] = useState<CheckInput>(() => (existing ? inputOf(existing) : defaultCheckInput()));
  const [headers, setHeaders] = useState(() => headersText(input.headers));
  const [schedule, setSchedule] = useState<"period" | "cron">(existing?.cron ? "cron" : "period");
  const [createRule, setCreateRule] = useState(true);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const save = useSaveCheck();

  const set = <K extends keyof CheckInput>(key: K, value: CheckInput[K]) => {
    setInput((current) => ({ ...current, [key]: value }));
  };
  const id = (field: string) => `${prefix}-${field}`;

  const refused = (error: ApiError) => {
    setErrors(error.fieldErrors);
    const hasFields = Object.keys(error.fieldErrors).length > 0;
    setFailure(hasFields ? ["Not saved: check the fields.", ...error.nonFieldErrors].join(" ") : `Not saved: ${error.message}`);
  };

  const submit = () => {
    setFailure(null);
    const parsed = parseHeaders(headers);
    if (input.kind === "http" && parsed.error) {
      setErrors({ headers: [parsed.error] });
      setFailure("Not saved: check the fields.");
      return;
    }
    const body: CheckInput = {
      ...input,
      headers: input.kind === "http" ? parsed.headers : {},
      cron: input.kind === "heartbeat" && schedule === "cron" ? input.cron : "",
    };
    save.mutate(
      { id: existing?.id ?? null, input: body, createRule },
      { onSuccess: onDone, onError: refused },
    );
  };

  const kind = input.kind;
  return (
    <FormDialog
      title={existing ? `Edit check ${existing.name}` : "Add a check"}
      description="An HTTP(S) or TCP check is run by Resee at its interval; a heartbeat waits for your job to ping it."
      submitLabel={existing ? "Save check" : "Add check"}
      busyLabel="Saving…"
      busy={save.isPending}
      initialFocus={nameRef}
      error={failure}
      onSubmit={submit}
      onCancel={onCancel}
      wide
    >
      <div className="form-grid">
        <Field id={id("name")} label="Name" errors={errorsOf(errors, "name")} required>
          {(control) => (
            <input
              {...control}
              ref={nameRef}
              className="field__input"
              value={input.name}
              maxLength={100}
              onChange={(event) => {
                set("name", event.target.value);
              }}
            />
          )}
        </Field>
        <Field id={id("kind")} label="Kind" errors={errorsOf(errors, "kind")} hint={existing ? "A check's kind stays as it was made." : undefined}>
          {(control) => (
            <select
              {...control}
              className="field__input"
              value={kind}
              disabled={existing !== null}
              onChange={(event) => {
                set("kind", event.target.value as CheckKind);
              }}
            >
              {KINDS.map((value) => (
                <option key={value} value={value}>
                  {CHECK_KIND_LABELS[value]}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>

      {kind === "http" && (
        <>
          <div className="form-grid">
            <Field id={id("url")} label="URL" hint="http:// or https://" errors={errorsOf(errors, "url")} required>
              {(control) => (
                <input
                  {...control}
                  type="url"
                  className="field__input"
                  value={input.url}
                  placeholder="https://example.com/"
                  onChange={(event) => {
                    set("url", event.target.value);
                  }}
                />
              )}
            </Field>
            <Field id={id("method")} label="Method" errors={errorsOf(errors, "method")}>
              {(control) => (
                <select
                  {...control}
                  className="field__input"
                  value={input.method}
                  onChange={(event) => {
                    set("method", event.target.value as CheckMethod);
                  }}
                >
                  {METHODS.map((method) => (
                    <option key={method} value={method}>
                      {method}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          <Field id={id("headers")} label="Headers" hint='One a line, "Name: value".' errors={errorsOf(errors, "headers")}>
            {(control) => (
              <textarea
                {...control}
                className="field__input"
                rows={3}
                value={headers}
                onChange={(event) => {
                  setHeaders(event.target.value);
                }}
              />
            )}
          </Field>
          <div className="form-grid">
            <Field
              id={id("expected_status")}
              label="Expected status"
              hint='e.g. "200", "200,204", "200-299,301"'
              errors={errorsOf(errors, "expected_status")}
            >
              {(control) => (
                <input
                  {...control}
                  className="field__input"
                  value={input.expected_status}
                  onChange={(event) => {
                    set("expected_status", event.target.value);
                  }}
                />
              )}
            </Field>
            <Field id={id("body_contains")} label="Body contains" hint="Optional." errors={errorsOf(errors, "body_contains")}>
              {(control) => (
                <input
                  {...control}
                  className="field__input"
                  value={input.body_contains}
                  onChange={(event) => {
                    set("body_contains", event.target.value);
                  }}
                />
              )}
            </Field>
          </div>
          <CheckboxField
            id={id("body_regex")}
            label="Body contains is a regular expression"
            checked={input.body_regex}
            errors={errorsOf(errors, "body_regex")}
            onChange={(checked) => {
              set("body_regex", checked);
            }}
          />
          <CheckboxField
            id={id("follow_redirects")}
            label="Follow redirects"
            checked={input.follow_redirects}
            errors={errorsOf(errors, "follow_redirects")}
            onChange={(checked) => {
              set("follow_redirects", checked);
            }}
          />
          <CheckboxField
            id={id("verify_tls")}
            label="Verify the TLS certificate"
            hint="https: an unverifiable certificate is down. Its days left are reported either way."
            checked={input.verify_tls}
            errors={errorsOf(errors, "verify_tls")}
            onChange={(checked) => {
              set("verify_tls", checked);
            }}
          />
        </>
      )}

      {kind === "tcp" && (
        <div className="form-grid">
          <Field id={id("host")} label="Host" errors={errorsOf(errors, "host")} required>
            {(control) => (
              <input
                {...control}
                className="field__input"
                value={input.host}
                placeholder="db.internal"
                onChange={(event) => {
                  set("host", event.target.value);
                }}
              />
            )}
          </Field>
          <Field id={id("port")} label="Port" errors={errorsOf(errors, "port")} required>
            {(control) => (
              <input
                {...control}
                {...numberProps({
                  value: input.port,
                  min: 1,
                  max: 65535,
                  onChange: (value) => {
                    set("port", value);
                  },
                })}
              />
            )}
          </Field>
        </div>
      )}

      {(kind === "http" || kind === "tcp") && (
        <div className="form-grid">
          <Field id={id("interval")} label="Interval (seconds)" hint="30 or more." errors={errorsOf(errors, "interval_seconds")}>
            {(control) => (
              <input
                {...control}
                {...numberProps({
                  value: input.interval_seconds,
                  min: 30,
                  onChange: (value) => {
                    set("interval_seconds", value ?? 0);
                  },
                })}
              />
            )}
          </Field>
          <Field id={id("timeout")} label="Timeout (seconds)" hint="1 to 60." errors={errorsOf(errors, "timeout_seconds")}>
            {(control) => (
              <input
                {...control}
                {...numberProps({
                  value: input.timeout_seconds,
                  min: 1,
                  max: 60,
                  onChange: (value) => {
                    set("timeout_seconds", value ?? 0);
                  },
                })}
              />
            )}
          </Field>
        </div>
      )}

      {kind === "heartbeat" && (
        <>
          <fieldset className="field">
            <legend className="field__label">Schedule</legend>
            <label className="weekday-picker__day">
              <input
                type="radio"
                name={id("schedule")}
                checked={schedule === "period"}
                onChange={() => {
                  setSchedule("period");
                }}
              />
              A period and a grace
            </label>
            <label className="weekday-picker__day">
              <input
                type="radio"
                name={id("schedule")}
                checked={schedule === "cron"}
                onChange={() => {
                  setSchedule("cron");
                }}
              />
              A cron schedule
            </label>
          </fieldset>
          <div className="form-grid">
            {schedule === "period" ? (
              <Field id={id("period")} label="Period (seconds)" hint="A ping is expected this often (86400: daily)." errors={errorsOf(errors, "period_seconds")}>
                {(control) => (
                  <input
                    {...control}
                    {...numberProps({
                      value: input.period_seconds,
                      min: 60,
                      onChange: (value) => {
                        set("period_seconds", value ?? 0);
                      },
                    })}
                  />
                )}
              </Field>
            ) : (
              <>
                <Field id={id("cron")} label="Cron expression" hint='e.g. "0 3 * * *" (03:00 every day).' errors={errorsOf(errors, "cron")} required>
                  {(control) => (
                    <input
                      {...control}
                      className="field__input"
                      value={input.cron}
                      onChange={(event) => {
                        set("cron", event.target.value);
                      }}
                    />
                  )}
                </Field>
                <Field id={id("time_zone")} label="Time zone" hint="The cron schedule's zone, e.g. Europe/Berlin." errors={errorsOf(errors, "time_zone")}>
                  {(control) => (
                    <input
                      {...control}
                      className="field__input"
                      value={input.time_zone}
                      onChange={(event) => {
                        set("time_zone", event.target.value);
                      }}
                    />
                  )}
                </Field>
              </>
            )}
            <Field id={id("grace")} label="Grace (seconds)" hint="How late a ping may be before it is down." errors={errorsOf(errors, "grace_seconds")}>
              {(control) => (
                <input
                  {...control}
                  {...numberProps({
                    value: input.grace_seconds,
                    min: 0,
                    onChange: (value) => {
                      set("grace_seconds", value ?? 0);
                    },
                  })}
                />
              )}
            </Field>
          </div>
        </>
      )}

      <CheckboxField
        id={id("is_active")}
        label="Active"
        hint="An inactive check is not run and not judged."
        checked={input.is_active}
        errors={errorsOf(errors, "is_active")}
        onChange={(checked) => {
          set("is_active", checked);
        }}
      />
      {!existing && (
        <CheckboxField
          id={id("create_rule")}
          label={`Also create the rule '${input.name.trim() || "<name>"} is down'`}
          hint="An ordinary rule: down on 2 consecutive runs opens a high alert, routed like any other."
          checked={createRule}
          errors={errorsOf(errors, "create_rule")}
          onChange={setCreateRule}
        />
      )}
    </FormDialog>
  );
}
