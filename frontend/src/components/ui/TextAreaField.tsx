import type { Ref } from "react";
import { Field } from "./Field";

interface TextAreaFieldProps {
  id: string;
  label: string;
  hint?: string;
  /** The server's messages for this field. */
  errors?: readonly string[] | undefined;
  value: string;
  onChange: (value: string) => void;
  rows: number;
  maxLength: number;
  ref?: Ref<HTMLTextAreaElement>;
}

/** A labelled text area, with its hint and errors read with it. */
export function TextAreaField({ id, label, hint, errors, value, onChange, rows, maxLength, ref }: TextAreaFieldProps) {
  return (
    <Field id={id} label={label} hint={hint} errors={errors}>
      {(control) => (
        <textarea
          {...control}
          ref={ref}
          className="field__input"
          rows={rows}
          maxLength={maxLength}
          value={value}
          onChange={(event) => {
            onChange(event.target.value);
          }}
        />
      )}
    </Field>
  );
}
