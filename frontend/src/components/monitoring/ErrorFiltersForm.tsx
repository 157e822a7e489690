import { useState, type SubmitEvent } from "react";
import { fromLocalInput, toLocalInput } from "../../lib/format";
import { listSettingsOf } from "../../lib/listPages";
import type { ErrorFilters, ErrorLevel } from "../../types/monitoring";
import { FilterActions, SearchFilter, SelectFilter, TimeRangeFilter } from "../ui/FilterFields";

interface ErrorFiltersFormProps {
  filters: ErrorFilters;
  /** The new filters (order and page size kept, back to the first page). */
  onApply: (filters: ErrorFilters) => void;
}

type Status = "open" | "resolved";

const LEVELS: readonly { value: ErrorLevel; label: string }[] = [
  { value: "ERROR", label: "Error" },
  { value: "CRITICAL", label: "Critical" },
];
const STATUSES: readonly { value: Status; label: string }[] = [
  { value: "open", label: "Open" },
  { value: "resolved", label: "Resolved" },
];

/**
 * The error log's search and filters. They apply together when submitted (Enter or "Apply"),
 * so that typing a search or a date does not send a request per keystroke.
 */
export function ErrorFiltersForm({ filters, onApply }: ErrorFiltersFormProps) {
  const [q, setQ] = useState(filters.q ?? "");
  const [level, setLevel] = useState<ErrorLevel | "">(filters.level ?? "");
  const [status, setStatus] = useState<Status | "">(
    filters.resolved === undefined ? "" : filters.resolved ? "resolved" : "open",
  );
  const [since, setSince] = useState(toLocalInput(filters.since));
  const [until, setUntil] = useState(toLocalInput(filters.until));

  const onSubmit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const next: ErrorFilters = listSettingsOf(filters);
    if (q.trim()) next.q = q.trim();
    if (level) next.level = level;
    if (status) next.resolved = status === "resolved";
    const sinceIso = fromLocalInput(since);
    if (sinceIso) next.since = sinceIso;
    const untilIso = fromLocalInput(until);
    if (untilIso) next.until = untilIso;
    onApply(next);
  };

  return (
    <form className="filters" role="search" aria-label="Filter the error log" onSubmit={onSubmit}>
      <SearchFilter value={q} placeholder="Message, exception, path or logger" onChange={setQ} />
      <SelectFilter label="Level" anyLabel="Any level" value={level} choices={LEVELS} onChange={setLevel} />
      <SelectFilter label="Status" anyLabel="Open and resolved" value={status} choices={STATUSES} onChange={setStatus} />
      <TimeRangeFilter
        sinceLabel="Last seen from"
        untilLabel="Last seen until"
        since={since}
        until={until}
        onSinceChange={setSince}
        onUntilChange={setUntil}
      />
      <FilterActions
        onClear={() => {
          onApply(listSettingsOf(filters));
        }}
      />
    </form>
  );
}
