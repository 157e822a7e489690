import { useId, useState, type SubmitEvent } from "react";
import type { ErrorFilters, ErrorLevel } from "../../types/monitoring";

interface ErrorFiltersFormProps {
  filters: ErrorFilters;
  /** The new filters (order and page size kept, back to the first page). */
  onApply: (filters: ErrorFilters) => void;
}

/** An ISO instant as a `datetime-local` value in the reader's time zone ("2026-11-27T17:28"). */
export function toLocalInput(iso: string | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A `datetime-local` value (the reader's time zone) as an ISO instant. */
export function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

type Status = "" | "open" | "resolved";

/**
 * The error log's search and filters. They apply together when submitted (Enter or "Apply"),
 * so that typing a search or a date does not send a request per keystroke.
 */
export function ErrorFiltersForm({ filters, onApply }: ErrorFiltersFormProps) {
  const id = useId();
  const [q, setQ] = useState(filters.q ?? "");
  const [level, setLevel] = useState<ErrorLevel | "">(filters.level ?? "");
  const [status, setStatus] = useState<Status>(
    filters.resolved === undefined ? "" : filters.resolved ? "resolved" : "open",
  );
  const [since, setSince] = useState(toLocalInput(filters.since));
  const [until, setUntil] = useState(toLocalInput(filters.until));

  const onSubmit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const next: ErrorFilters = {};
    if (filters.ordering) next.ordering = filters.ordering;
    if (filters.page_size) next.page_size = filters.page_size;
    if (q.trim()) next.q = q.trim();
    if (level) next.level = level;
    if (status) next.resolved = status === "resolved";
    const sinceIso = fromLocalInput(since);
    if (sinceIso) next.since = sinceIso;
    const untilIso = fromLocalInput(until);
    if (untilIso) next.until = untilIso;
    onApply(next);
  };

  const clear = () => {
    const next: ErrorFilters = {};
    if (filters.ordering) next.ordering = filters.ordering;
    if (filters.page_size) next.page_size = filters.page_size;
    onApply(next);
  };

  return (
    <form className="filters" role="search" aria-label="Filter the error log" onSubmit={onSubmit}>
      <div className="field filters__search">
        <label htmlFor={`${id}-q`} className="field__label">
          Search
        </label>
        <input
          id={`${id}-q`}
          type="search"
          className="field__input"
          value={q}
          placeholder="Message, exception, path or logger"
          onChange={(event) => {
            setQ(event.target.value);
          }}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-level`} className="field__label">
          Level
        </label>
        <select
          id={`${id}-level`}
          className="field__input"
          value={level}
          onChange={(event) => {
            const value = event.target.value;
            setLevel(value === "ERROR" || value === "CRITICAL" ? value : "");
          }}
        >
          <option value="">Any level</option>
          <option value="ERROR">Error</option>
          <option value="CRITICAL">Critical</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-status`} className="field__label">
          Status
        </label>
        <select
          id={`${id}-status`}
          className="field__input"
          value={status}
          onChange={(event) => {
            const value = event.target.value;
            setStatus(value === "open" || value === "resolved" ? value : "");
          }}
        >
          <option value="">Open and resolved</option>
          <option value="open">Open</option>
          <option value="resolved">Resolved</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-since`} className="field__label">
          Last seen from
        </label>
        <input
          id={`${id}-since`}
          type="datetime-local"
          className="field__input"
          value={since}
          max={until || undefined}
          onChange={(event) => {
            setSince(event.target.value);
          }}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-until`} className="field__label">
          Last seen until
        </label>
        <input
          id={`${id}-until`}
          type="datetime-local"
          className="field__input"
          value={until}
          min={since || undefined}
          onChange={(event) => {
            setUntil(event.target.value);
          }}
        />
      </div>
      <div className="filters__actions">
        <button type="submit" className="button button--primary">
          Apply filters
        </button>
        <button type="button" className="button button--secondary" onClick={clear}>
          Clear
        </button>
      </div>
    </form>
  );
}
