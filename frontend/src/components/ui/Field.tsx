import type { ReactNode } from "react";

export interface ControlProps {
  id: string;
  "aria-invalid": boolean;
  "aria-describedby"?: string;
  "aria-required"?: boolean;
}

interface FieldProps {
  id: string;
  label: string;
  /** A short explanation under the control, read with it. */
  hint?: string | undefined;
  /** The server's messages for this field. */
  errors?: readonly string[] | undefined;
  /** The control, given its id and what describes it. */
  children: (control: ControlProps) => ReactNode;
  className?: string;
  /** Marked as required beside the label, and to assistive technology on the control. */
  required?: boolean;
}

/** A labelled control of any kind whose hint and errors sit beside it and are read with it. */
export function Field({ id, label, hint, errors, children, className, required = false }: FieldProps) {
  const invalid = errors !== undefined && errors.length > 0;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, invalid ? errorId : null].filter(Boolean).join(" ");
  return (
    <div className={`field${className ? ` ${className}` : ""}`}>
      {required ? (
        <div className="field__label-row">
          <label htmlFor={id} className="field__label">
            {label}
          </label>
          <span className="field__required">required</span>
        </div>
      ) : (
        <label htmlFor={id} className="field__label">
          {label}
        </label>
      )}
      {children({
        id,
        "aria-invalid": invalid,
        ...(describedBy ? { "aria-describedby": describedBy } : {}),
        ...(required ? { "aria-required": true } : {}),
      })}
      {hint && (
        <p id={hintId} className="field__hint">
          {hint}
        </p>
      )}
      {invalid && (
        <p id={errorId} className="field__error">
          {errors.join(" ")}
        </p>
      )}
    </div>
  );
}

interface CheckboxFieldProps {
  id: string;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: string | undefined;
  errors?: readonly string[] | undefined;
}

/** A checkbox with its label beside it, and its hint and errors below. */
export function CheckboxField({ id, label, checked, onChange, hint, errors }: CheckboxFieldProps) {
  const invalid = errors !== undefined && errors.length > 0;
  const describedBy = [hint ? `${id}-hint` : null, invalid ? `${id}-error` : null].filter(Boolean).join(" ");
  return (
    <div className="field field--checkbox">
      <div className="field__check">
        <input
          id={id}
          type="checkbox"
          className="checkbox"
          checked={checked}
          aria-invalid={invalid}
          aria-describedby={describedBy || undefined}
          onChange={(event) => {
            onChange(event.target.checked);
          }}
        />
        <label htmlFor={id} className="field__label">
          {label}
        </label>
      </div>
      {hint && (
        <p id={`${id}-hint`} className="field__hint">
          {hint}
        </p>
      )}
      {invalid && (
        <p id={`${id}-error`} className="field__error">
          {errors.join(" ")}
        </p>
      )}
    </div>
  );
}
