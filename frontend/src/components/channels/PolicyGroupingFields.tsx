import { useState } from "react";
import type { FieldErrors } from "../../api/client";
import { formatDuration } from "../../lib/format";
import { Field } from "../ui/Field";

/** ["..."]: every label, each set of values its own group. */
export const EVERY_LABEL = "...";

/** What a policy can group by besides the labels its matchers name. */
const ROUTING_NAMES = ["rule", "severity", "category", "metric"];

export interface GroupingValues {
  group_by: string[];
  group_wait_seconds: string;
  group_interval_seconds: string;
  repeat_interval_seconds: string;
}

function messagesUnder(errors: FieldErrors, field: string): string[] {
  return Object.entries(errors).flatMap(([path, messages]) => (path === field || path.startsWith(`${field}.`) ? [...messages] : []));
}

/** "= 5 min" beside a number of seconds, when it reads as one. */
function durationNote(text: string): string | undefined {
  const seconds = Number(text.trim());
  return text.trim() !== "" && Number.isFinite(seconds) && seconds >= 0 ? formatDuration(seconds) : undefined;
}

interface PolicyGroupingFieldsProps {
  id: string;
  values: GroupingValues;
  onChange: (values: GroupingValues) => void;
  /** Label names to offer (those the policy's matchers name). */
  suggestions: readonly string[];
  errors: FieldErrors;
}

/**
 * How a policy batches its alerts: the labels that make a group ("..." every label; none: one message
 * per alert), and, when grouping, how long a new group waits, how often a changed group is sent and
 * when an unchanged one is sent again.
 */
export function PolicyGroupingFields({ id, values, onChange, suggestions, errors }: PolicyGroupingFieldsProps) {
  const [typed, setTyped] = useState("");
  const every = values.group_by.includes(EVERY_LABEL);
  const names = [...new Set([...ROUTING_NAMES, ...suggestions.filter((name) => name.trim() !== ""), ...values.group_by])]
    .filter((name) => name !== EVERY_LABEL)
    .sort();
  const groupErrors = messagesUnder(errors, "group_by");
  const set = (patch: Partial<GroupingValues>) => {
    onChange({ ...values, ...patch });
  };
  const add = () => {
    const name = typed.trim();
    if (name && !values.group_by.includes(name)) set({ group_by: [...values.group_by, name] });
    setTyped("");
  };
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const grouping = values.group_by.length > 0;
  const number = (field: "group_wait_seconds" | "group_interval_seconds" | "repeat_interval_seconds", label: string, hint: string) => {
    const note = durationNote(values[field]);
    return (
      <Field id={`${id}-${field}`} label={label} hint={note ? `${hint} Now: ${note}.` : hint} errors={errors[field]}>
        {(control) => (
          <input
            {...control}
            className="field__input"
            inputMode="numeric"
            value={values[field]}
            onChange={(event) => {
              set({ [field]: event.target.value });
            }}
          />
        )}
      </Field>
    );
  };
  return (
    <fieldset className="field form-grid__wide policy-grouping" aria-describedby={groupErrors.length > 0 ? `${hintId} ${errorId}` : hintId}>
      <legend className="field__label">Grouping</legend>
      <p id={hintId} className="field__hint">
        The alerts this policy sends that share the values of these labels go out as one message per channel. None: one
        message per alert.
      </p>
      <div className="field__check">
        <input
          id={`${id}-every`}
          type="checkbox"
          className="checkbox"
          checked={every}
          aria-invalid={groupErrors.length > 0}
          onChange={(event) => {
            set({ group_by: event.target.checked ? [EVERY_LABEL] : [] });
          }}
        />
        <label htmlFor={`${id}-every`}>
          Every label (<code>...</code>): alerts group only with those of exactly the same labels
        </label>
      </div>
      {!every && (
        <>
          <div className="group-by__choices" role="group" aria-label="Group by these labels">
            {names.map((name) => (
              <div key={name} className="field__check">
                <input
                  id={`${id}-by-${name}`}
                  type="checkbox"
                  className="checkbox"
                  checked={values.group_by.includes(name)}
                  aria-invalid={groupErrors.length > 0}
                  onChange={(event) => {
                    set({ group_by: event.target.checked ? [...values.group_by, name] : values.group_by.filter((chosen) => chosen !== name) });
                  }}
                />
                <label htmlFor={`${id}-by-${name}`}>
                  <code>{name}</code>
                </label>
              </div>
            ))}
          </div>
          <div className="group-by__add">
            <label htmlFor={`${id}-other`} className="label-rows__label">
              Group by another label
            </label>
            <input
              id={`${id}-other`}
              className="field__input"
              value={typed}
              autoComplete="off"
              spellCheck={false}
              onChange={(event) => {
                setTyped(event.target.value);
              }}
              onKeyDown={(event) => {
                if (event.key === "Enter") {
                  event.preventDefault();
                  add();
                }
              }}
            />
            <button type="button" className="button button--secondary button--small" onClick={add}>
              Add
            </button>
          </div>
        </>
      )}
      {groupErrors.length > 0 && (
        <p id={errorId} className="field__error">
          {groupErrors.join(" ")}
        </p>
      )}
      {grouping && (
        <div className="form-grid">
          {number("group_wait_seconds", "Group wait (seconds)", "How long a new group waits for more alerts before its first message (default 30).")}
          {number(
            "group_interval_seconds",
            "Group interval (seconds)",
            "After a group's message, how long alerts joining or resolving wait for the next one (default 300).",
          )}
          {number(
            "repeat_interval_seconds",
            "Repeat interval (seconds)",
            "An unchanged group still firing is sent again after this long (default 14400, 4 h).",
          )}
        </div>
      )}
    </fieldset>
  );
}
