import { useId } from "react";
import { timeZoneLabel } from "../../lib/format";

/** A choice of the filters form: "any" (the empty value) or one of `choices`. */
export function SelectFilter<T extends string>({
  label,
  anyLabel,
  value,
  choices,
  onChange,
}: {
  label: string;
  /** The empty choice: "Any severity". */
  anyLabel: string;
  value: T | "";
  choices: readonly { value: T; label: string }[];
  onChange: (value: T | "") => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id} className="field__label">
        {label}
      </label>
      <select
        id={id}
        className="field__input"
        value={value}
        onChange={(event) => {
          onChange(choices.find((choice) => choice.value === event.target.value)?.value ?? "");
        }}
      >
        <option value="">{anyLabel}</option>
        {choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The free-text search of a filters form. */
export function SearchFilter({
  value,
  placeholder,
  onChange,
}: {
  value: string;
  placeholder: string;
  onChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <div className="field filters__search">
      <label htmlFor={id} className="field__label">
        Search
      </label>
      <input
        id={id}
        type="search"
        className="field__input"
        value={value}
        placeholder={placeholder}
        onChange={(event) => {
          onChange(event.target.value);
        }}
      />
    </div>
  );
}

/** "From" and "until" in the reader's time zone (`datetime-local` values), each bounding the other. */
export function TimeRangeFilter({
  sinceLabel,
  untilLabel,
  since,
  until,
  onSinceChange,
  onUntilChange,
}: {
  sinceLabel: string;
  untilLabel: string;
  since: string;
  until: string;
  onSinceChange: (value: string) => void;
  onUntilChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-since`} className="field__label">
          {sinceLabel}
        </label>
        <input
          id={`${id}-since`}
          type="datetime-local"
          className="field__input"
          value={since}
          max={until || undefined}
          aria-describedby={`${id}-zone`}
          onChange={(event) => {
            onSinceChange(event.target.value);
          }}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-until`} className="field__label">
          {untilLabel}
        </label>
        <input
          id={`${id}-until`}
          type="datetime-local"
          className="field__input"
          value={until}
          min={since || undefined}
          aria-describedby={`${id}-zone`}
          onChange={(event) => {
            onUntilChange(event.target.value);
          }}
        />
        <p id={`${id}-zone`} className="field__hint">
          In your time zone ({timeZoneLabel()}).
        </p>
      </div>
    </>
  );
}

/** "Apply filters" (the form's submit) and "Clear". */
export function FilterActions({ onClear }: { onClear: () => void }) {
  return (
    <div className="filters__actions">
      <button type="submit" className="button button--primary">
        Apply filters
      </button>
      <button type="button" className="button button--secondary" onClick={onClear}>
        Clear
      </button>
    </div>
  );
}
