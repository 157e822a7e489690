import { useState } from "react";
import type { ErrorFilters, ErrorLevel } from "../../types/monitoring";
import { FiltersForm, SearchFilter, SelectFilter, TimeRangeFilter, useTimeRangeDraft } from "../ui/FilterFields";

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

/** The error log's search and filters, applied together on submit. */
export function ErrorFiltersForm({ filters, onApply }: ErrorFiltersFormProps) {
  const [q, setQ] = useState(filters.q ?? "");
  const [level, setLevel] = useState<ErrorLevel | "">(filters.level ?? "");
  const [status, setStatus] = useState<Status | "">(
    filters.resolved === undefined ? "" : filters.resolved ? "resolved" : "open",
  );
  const range = useTimeRangeDraft(filters);

  return (
    <FiltersForm
      label="Filter the error log"
      filters={filters}
      read={() => ({
        q: q.trim() || undefined,
        level: level || undefined,
        resolved: status ? status === "resolved" : undefined,
        ...range.read(),
      })}
      onApply={onApply}
    >
      <SearchFilter value={q} placeholder="Message, exception, path or logger" onChange={setQ} />
      <SelectFilter label="Level" anyLabel="Any level" value={level} choices={LEVELS} onChange={setLevel} />
      <SelectFilter label="Status" anyLabel="Open and resolved" value={status} choices={STATUSES} onChange={setStatus} />
      <TimeRangeFilter sinceLabel="Last seen from" untilLabel="Last seen until" range={range} />
    </FiltersForm>
  );
}
