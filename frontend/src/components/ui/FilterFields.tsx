import { useId, useState, type ReactNode, type SubmitEvent } from "react";
import { fromLocalInput, timeZoneLabel, toLocalInput } from "../../lib/format";
import { listSettingsOf, type ListSettings } from "../../lib/listPages";

/** Filters as a form's fields hold them: an empty field is undefined. */
type Draft<F> = { [K in keyof F]?: F[K] | undefined };

/**
 * A list's filters form. The fields apply together when submitted (Enter or "Apply filters"), so
 * that typing a search or a date does not send a request per keystroke; "Clear" keeps only the
 * order and page size. Either way the list starts again at its first page.
 */
export function FiltersForm<F extends ListSettings>({
  label,
  filters,
  read,
  onApply,
  children,
}: {
  /** What the form filters: "Filter the alert history". */
  label: string;
  filters: F;
  /** The filters the fields ask for now. */
  read: () => Draft<F>;
  onApply: (filters: F) => void;
  children: ReactNode;
}) {
  const onSubmit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const next: Record<string, unknown> = listSettingsOf(filters);
    for (const [key, value] of Object.entries(read())) {
      if (value !== undefined) next[key] = value;
    }
    onApply(next as F);
  };
  return (
    <form className="filters" role="search" aria-label={label} onSubmit={onSubmit}>
      {children}
      <FilterActions
        onClear={() => {
          onApply(listSettingsOf(filters) as F);
        }}
      />
    </form>
  );
}

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

/** A free-text filter with what it takes written under it; `pattern` (whole value) lets the browser
 * refuse what does not fit before it is applied. */
export function TextFilter({
  label,
  value,
  placeholder,
  hint,
  pattern,
  onChange,
}: {
  label: string;
  value: string;
  placeholder: string;
  hint: string;
  pattern?: string;
  onChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id} className="field__label">
        {label}
      </label>
      <input
        id={id}
        className="field__input"
        value={value}
        placeholder={placeholder}
        pattern={pattern}
        title={hint}
        autoComplete="off"
        spellCheck={false}
        aria-describedby={`${id}-hint`}
        onChange={(event) => {
          onChange(event.target.value);
        }}
      />
      <p id={`${id}-hint`} className="field__hint">
        {hint}
      </p>
    </div>
  );
}

/** The fields of a `TimeRangeFilter`: `datetime-local` values, read back as ISO instants. */
export function useTimeRangeDraft(filters: { since?: string; until?: string }) {
  const [since, setSince] = useState(toLocalInput(filters.since));
  const [until, setUntil] = useState(toLocalInput(filters.until));
  return {
    since,
    until,
    setSince,
    setUntil,
    read: () => ({ since: fromLocalInput(since), until: fromLocalInput(until) }),
  };
}

/** "From" and "until" in the reader's time zone, each bounding the other. */
export function TimeRangeFilter({
  sinceLabel,
  untilLabel,
  range,
}: {
  sinceLabel: string;
  untilLabel: string;
  range: ReturnType<typeof useTimeRangeDraft>;
}) {
  const id = useId();
  const { since, until } = range;
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
            range.setSince(event.target.value);
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
            range.setUntil(event.target.value);
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
function FilterActions({ onClear }: { onClear: () => void }) {
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
