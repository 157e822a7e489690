import type { InputHTMLAttributes, Ref } from "react";

interface FormFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "id"> {
  id: string;
  label: string;
  /** The server's messages for this field. */
  errors?: readonly string[] | undefined;
  ref?: Ref<HTMLInputElement>;
}

/** A labelled input whose errors are shown beside it and announced with it. */
export function FormField({ id, label, errors, ref, ...input }: FormFieldProps) {
  const errorId = `${id}-error`;
  const invalid = errors !== undefined && errors.length > 0;
  return (
    <div className="field">
      <label htmlFor={id} className="field__label">
        {label}
      </label>
      <input
        {...input}
        ref={ref}
        id={id}
        className="field__input"
        aria-invalid={invalid}
        aria-describedby={invalid ? errorId : undefined}
      />
      {invalid && (
        <p id={errorId} className="field__error">
          {errors.join(" ")}
        </p>
      )}
    </div>
  );
}
