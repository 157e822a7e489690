/**
 * The rule form's label fields: matchers (which series a rule reads), group-by (one alert per
 * group), and the rule's own labels. Label names and values are offered from the metric's labels
 * when the API gives them; any text may be typed.
 */
import { useState } from "react";
import type { FieldErrors } from "../../api/client";
import type { LabelMatcher } from "../../types/alerts";
import type { LabelRow } from "./ruleForm";

type Op = LabelMatcher["op"];

export const MATCHER_OPS: readonly { value: Op; label: string }[] = [
  { value: "=", label: "= equals" },
  { value: "!=", label: "!= does not equal" },
  { value: "=~", label: "=~ matches the regex" },
  { value: "!~", label: "!~ does not match the regex" },
];

/** The metric's label names and values; undefined while unknown (free text only). */
export type KnownLabels = Readonly<Record<string, readonly string[]>> | undefined;

function messages(errors: FieldErrors, path: string): readonly string[] {
  return errors[path] ?? [];
}

/** A control's ARIA attributes for its errors (shown in `errorId` when there are any). */
function invalidProps(errors: readonly string[], errorId: string) {
  return errors.length > 0 ? { "aria-invalid": true, "aria-describedby": errorId } : { "aria-invalid": false };
}

/** The names and, per name, the values offered as a datalist; none when the metric's labels are unknown. */
function Suggestions({ id, values }: { id: string; values: readonly string[] }) {
  if (values.length === 0) return null;
  return (
    <datalist id={id}>
      {values.map((value) => (
        <option key={value} value={value} />
      ))}
    </datalist>
  );
}

function labelsHint(known: KnownLabels, truncated: readonly string[]): string {
  if (known === undefined) return "The metric's labels are not known here yet: type the names and values.";
  const names = Object.keys(known);
  if (names.length === 0) return "The metric had no labelled series in the last day: type the names and values.";
  const cut = truncated.length > 0 ? ` (${truncated.join(", ")}: the first 100 values offered)` : "";
  return `Its labels in the last day: ${names.sort().join(", ")}${cut}.`;
}

interface MatchersEditorProps {
  id: string;
  matchers: readonly LabelMatcher[];
  onChange: (matchers: LabelMatcher[]) => void;
  known: KnownLabels;
  truncated: readonly string[];
  /** Every error of the form: those under `name` are shown here. */
  errors: FieldErrors;
  /** The field's name in the API's errors (a rule's `label_matchers`, a policy's `matchers`). */
  name?: string;
  /** What the matchers select, said under the legend; a rule's series by default. */
  hint?: string;
}

/** Rows of label / operator / value; none: every series of the metric (every alert, for a policy). */
export function MatchersEditor({ id, matchers, onChange, known, truncated, errors, name = "label_matchers", hint }: MatchersEditorProps) {
  const names = known ? Object.keys(known).sort() : [];
  const whole = messages(errors, name);
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const change = (index: number, patch: Partial<LabelMatcher>) => {
    onChange(matchers.map((matcher, at) => (at === index ? { ...matcher, ...patch } : matcher)));
  };
  return (
    <fieldset className="field form-grid__wide label-rows" aria-describedby={whole.length > 0 ? `${hintId} ${errorId}` : hintId}>
      <legend className="field__label">{name === "label_matchers" ? "Label matchers" : "Matchers"}</legend>
      <p id={hintId} className="field__hint">
        {hint ?? (
          <>
            Which series the rule reads (all must hold; regexes match the whole value). None: every series of the metric.{" "}
            {labelsHint(known, truncated)}
          </>
        )}
      </p>
      <Suggestions id={`${id}-names`} values={names} />
      {matchers.length > 0 && (
        <ol className="label-rows__list">
          {matchers.map((matcher, index) => {
            const row = `${id}-${index}`;
            const rowErrors = [
              ...messages(errors, `${name}.${index}`),
              ...messages(errors, `${name}.${index}.non_field_errors`),
            ];
            const parts = {
              label: messages(errors, `${name}.${index}.label`),
              op: messages(errors, `${name}.${index}.op`),
              value: messages(errors, `${name}.${index}.value`),
            };
            const values = known?.[matcher.label] ?? [];
            return (
              <li key={index} className="label-rows__row">
                <div className="label-rows__cells">
                  <div className="label-rows__cell">
                    <label htmlFor={`${row}-label`} className="label-rows__label">
                      Label
                      <span className="visually-hidden"> {index + 1}</span>
                    </label>
                    <input
                      id={`${row}-label`}
                      className="field__input"
                      list={names.length > 0 ? `${id}-names` : undefined}
                      value={matcher.label}
                      autoComplete="off"
                      spellCheck={false}
                      onChange={(event) => {
                        change(index, { label: event.target.value });
                      }}
                      {...invalidProps([...parts.label, ...rowErrors], `${row}-error`)}
                    />
                  </div>
                  <div className="label-rows__cell label-rows__cell--op">
                    <label htmlFor={`${row}-op`} className="label-rows__label">
                      Operator
                      <span className="visually-hidden"> {index + 1}</span>
                    </label>
                    <select
                      id={`${row}-op`}
                      className="field__input"
                      value={matcher.op}
                      onChange={(event) => {
                        const op = MATCHER_OPS.find((choice) => choice.value === event.target.value);
                        if (op) change(index, { op: op.value });
                      }}
                      {...invalidProps(parts.op, `${row}-error`)}
                    >
                      {MATCHER_OPS.map((op) => (
                        <option key={op.value} value={op.value}>
                          {op.label}
                        </option>
                      ))}
                    </select>
                  </div>
                  <div className="label-rows__cell">
                    <label htmlFor={`${row}-value`} className="label-rows__label">
                      Value
                      <span className="visually-hidden"> {index + 1}</span>
                    </label>
                    <input
                      id={`${row}-value`}
                      className="field__input"
                      list={values.length > 0 ? `${row}-values` : undefined}
                      value={matcher.value}
                      autoComplete="off"
                      spellCheck={false}
                      onChange={(event) => {
                        change(index, { value: event.target.value });
                      }}
                      {...invalidProps(parts.value, `${row}-error`)}
                    />
                    <Suggestions id={`${row}-values`} values={values} />
                  </div>
                  <button
                    type="button"
                    className="button button--secondary button--small label-rows__remove"
                    aria-label={`Remove matcher ${index + 1}`}
                    onClick={() => {
                      onChange(matchers.filter((_, at) => at !== index));
                    }}
                  >
                    Remove
                  </button>
                </div>
                {[...parts.label, ...parts.op, ...parts.value, ...rowErrors].length > 0 && (
                  <p id={`${row}-error`} className="field__error">
                    {[...parts.label, ...parts.op, ...parts.value, ...rowErrors].join(" ")}
                  </p>
                )}
              </li>
            );
          })}
        </ol>
      )}
      <div>
        <button
          type="button"
          className="button button--secondary button--small"
          id={id}
          onClick={() => {
            onChange([...matchers, { label: "", op: "=", value: "" }]);
          }}
          data-invalid={whole.length > 0 || undefined}
        >
          Add a matcher
        </button>
      </div>
      {whole.length > 0 && (
        <p id={errorId} className="field__error">
          {whole.join(" ")}
        </p>
      )}
    </fieldset>
  );
}

interface GroupByPickerProps {
  id: string;
  value: readonly string[];
  onChange: (names: string[]) => void;
  known: KnownLabels;
  errors: readonly string[];
}

/** The label names to group by: the metric's, ticked, and any other typed in. */
export function GroupByPicker({ id, value, onChange, known, errors }: GroupByPickerProps) {
  const [typed, setTyped] = useState("");
  const names = [...new Set([...(known ? Object.keys(known) : []), ...value])].sort();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const add = () => {
    const name = typed.trim();
    if (name && !value.includes(name)) onChange([...value, name]);
    setTyped("");
  };
  return (
    <fieldset
      className="field form-grid__wide label-rows"
      aria-describedby={[hintId, errors.length > 0 ? errorId : null].filter(Boolean).join(" ")}
    >
      <legend className="field__label">Group by</legend>
      <p id={hintId} className="field__hint">
        Each group of series (one per value of these labels, e.g. per route) is evaluated on its own and opens its own
        alert. None: one value over all the series the matchers select.
      </p>
      {names.length > 0 && (
        <div className="group-by__choices">
          {names.map((name, index) => (
            <div key={name} className="field__check">
              <input
                id={index === 0 ? id : `${id}-${name}`}
                type="checkbox"
                className="checkbox"
                checked={value.includes(name)}
                aria-invalid={errors.length > 0}
                onChange={(event) => {
                  onChange(event.target.checked ? [...value, name] : value.filter((chosen) => chosen !== name));
                }}
              />
              <label htmlFor={index === 0 ? id : `${id}-${name}`}>
                <code>{name}</code>
              </label>
            </div>
          ))}
        </div>
      )}
      <div className="group-by__add">
        <label htmlFor={names.length > 0 ? `${id}-other` : id} className="label-rows__label">
          {names.length > 0 ? "Group by another label" : "Group by a label"}
        </label>
        <input
          id={names.length > 0 ? `${id}-other` : id}
          className="field__input"
          value={typed}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={names.length === 0 && errors.length > 0}
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
      {errors.length > 0 && (
        <p id={errorId} className="field__error">
          {errors.join(" ")}
        </p>
      )}
    </fieldset>
  );
}

interface LabelPairsEditorProps {
  id: string;
  rows: readonly LabelRow[];
  onChange: (rows: LabelRow[]) => void;
  errors: FieldErrors;
  /** Another use of the editor (an alert described for a preview): its legend and hint. */
  legend?: string;
  hint?: string;
}

/** The rule's own labels (team=payments): free names and values, copied onto its alerts. */
export function LabelPairsEditor({ id, rows, onChange, errors, legend = "Rule labels", hint }: LabelPairsEditorProps) {
  const whole = messages(errors, "labels");
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const change = (index: number, patch: Partial<LabelRow>) => {
    onChange(rows.map((row, at) => (at === index ? { ...row, ...patch } : row)));
  };
  return (
    <fieldset className="field form-grid__wide label-rows" aria-describedby={whole.length > 0 ? `${hintId} ${errorId}` : hintId}>
      <legend className="field__label">{legend}</legend>
      <p id={hintId} className="field__hint">
        {hint ??
          "Free names and values (team = payments), copied onto the rule's alerts and shown with them. Names: lowercase letters, digits and _."}
      </p>
      {rows.length > 0 && (
        <ol className="label-rows__list">
          {rows.map((row, index) => {
            const at = `${id}-${index}`;
            const rowErrors = messages(errors, `labels.${row.name.trim()}`);
            return (
              <li key={index} className="label-rows__row">
                <div className="label-rows__cells label-rows__cells--pair">
                  <div className="label-rows__cell">
                    <label htmlFor={`${at}-name`} className="label-rows__label">
                      Label name
                      <span className="visually-hidden"> {index + 1}</span>
                    </label>
                    <input
                      id={`${at}-name`}
                      className="field__input"
                      value={row.name}
                      autoComplete="off"
                      spellCheck={false}
                      onChange={(event) => {
                        change(index, { name: event.target.value });
                      }}
                      {...invalidProps(rowErrors, `${at}-error`)}
                    />
                  </div>
                  <div className="label-rows__cell">
                    <label htmlFor={`${at}-value`} className="label-rows__label">
                      Label value
                      <span className="visually-hidden"> {index + 1}</span>
                    </label>
                    <input
                      id={`${at}-value`}
                      className="field__input"
                      value={row.value}
                      autoComplete="off"
                      onChange={(event) => {
                        change(index, { value: event.target.value });
                      }}
                    />
                  </div>
                  <button
                    type="button"
                    className="button button--secondary button--small label-rows__remove"
                    aria-label={`Remove label ${index + 1}`}
                    onClick={() => {
                      onChange(rows.filter((_, other) => other !== index));
                    }}
                  >
                    Remove
                  </button>
                </div>
                {rowErrors.length > 0 && (
                  <p id={`${at}-error`} className="field__error">
                    {rowErrors.join(" ")}
                  </p>
                )}
              </li>
            );
          })}
        </ol>
      )}
      <div>
        <button
          type="button"
          id={id}
          className="button button--secondary button--small"
          onClick={() => {
            onChange([...rows, { name: "", value: "" }]);
          }}
          data-invalid={whole.length > 0 || undefined}
        >
          Add a label
        </button>
      </div>
      {whole.length > 0 && (
        <p id={errorId} className="field__error">
          {whole.join(" ")}
        </p>
      )}
    </fieldset>
  );
}
