import { useEffect, useId, useRef } from "react";
import { Link } from "react-router";
import { formatDateTime, formatNumber } from "../../lib/format";
import { truncate } from "../../lib/text";
import { errorDetailPath } from "../../routes/paths";
import type { ErrorLevel, ErrorLogEntry } from "../../types/monitoring";

interface ErrorLogTableProps {
  entries: readonly ErrorLogEntry[];
  selected: ReadonlySet<number>;
  onSelectionChange: (selected: ReadonlySet<number>) => void;
  /** The list's query string, so that the detail page can link back to the same view. */
  listSearch: string;
  /** New data is on its way; what is shown may be out of date. */
  busy?: boolean;
}

export function LevelBadge({ level }: { level: ErrorLevel }) {
  return <span className={`badge badge--${level.toLowerCase()}`}>{level === "CRITICAL" ? "Critical" : "Error"}</span>;
}

export function StatusBadge({ resolved }: { resolved: boolean }) {
  return <span className={`badge ${resolved ? "badge--resolved" : "badge--open"}`}>{resolved ? "Resolved" : "Open"}</span>;
}

function Time({ iso }: { iso: string }) {
  return <time dateTime={iso}>{formatDateTime(iso)}</time>;
}

function SelectAll({ entries, selected, onSelectionChange }: Omit<ErrorLogTableProps, "listSearch" | "busy">) {
  const ref = useRef<HTMLInputElement>(null);
  const count = entries.filter((entry) => selected.has(entry.id)).length;
  const all = entries.length > 0 && count === entries.length;
  const some = count > 0 && !all;
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = some;
  }, [some]);
  return (
    <input
      ref={ref}
      type="checkbox"
      className="checkbox"
      aria-label="Select every error on this page"
      checked={all}
      onChange={() => {
        onSelectionChange(all ? new Set() : new Set(entries.map((entry) => entry.id)));
      }}
    />
  );
}

function Row({
  entry,
  checked,
  onToggle,
  listSearch,
}: {
  entry: ErrorLogEntry;
  checked: boolean;
  onToggle: () => void;
  listSearch: string;
}) {
  return (
    <tr className={checked ? "is-selected" : undefined}>
      <td className="select-cell">
        <input
          type="checkbox"
          className="checkbox"
          aria-label={`Select: ${truncate(entry.message, 80)}`}
          checked={checked}
          onChange={onToggle}
        />
      </td>
      <td>
        <LevelBadge level={entry.level} />
      </td>
      <th scope="row" className="message-cell">
        <Link to={errorDetailPath(entry.id)} state={{ listSearch }} className="message-cell__link">
          {truncate(entry.message, 200)}
        </Link>
        <span className="message-cell__meta">
          {[entry.service, entry.exception_type, entry.logger && `logger ${entry.logger}`]
            .filter(Boolean)
            .join(" · ")}
        </span>
      </th>
      <td className="numeric">{formatNumber(entry.occurrences)}</td>
      <td className="nowrap">
        <Time iso={entry.last_seen} />
      </td>
      <td className="nowrap">
        <Time iso={entry.first_seen} />
      </td>
      <td>
        {entry.path ? (
          <>
            {entry.method && <span className="method">{entry.method}</span>} <code>{entry.path}</code>
          </>
        ) : (
          <span className="muted">none</span>
        )}
        {entry.user && <span className="message-cell__meta">user {entry.user}</span>}
      </td>
      <td>
        <StatusBadge resolved={entry.resolved} />
      </td>
    </tr>
  );
}

/** A page of error groups, each selectable for bulk actions and linking to its details. */
export function ErrorLogTable({ entries, selected, onSelectionChange, listSearch, busy = false }: ErrorLogTableProps) {
  const captionId = useId();
  const toggle = (id: number) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    onSelectionChange(next);
  };
  return (
    // Focusable so that keyboard users can scroll it sideways on a narrow screen.
    <div className="table-scroll" role="region" aria-labelledby={captionId} tabIndex={0}>
      <table className={`table table--errors${busy ? " is-busy" : ""}`} aria-busy={busy}>
        <caption id={captionId} className="visually-hidden">
          Error groups
        </caption>
        <thead>
          <tr>
            <th scope="col" className="select-cell">
              <SelectAll entries={entries} selected={selected} onSelectionChange={onSelectionChange} />
            </th>
            <th scope="col">Level</th>
            <th scope="col">Error</th>
            <th scope="col" className="numeric">Occurrences</th>
            <th scope="col">Last seen</th>
            <th scope="col">First seen</th>
            <th scope="col">Request</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <Row
              key={entry.id}
              entry={entry}
              checked={selected.has(entry.id)}
              onToggle={() => {
                toggle(entry.id);
              }}
              listSearch={listSearch}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}
