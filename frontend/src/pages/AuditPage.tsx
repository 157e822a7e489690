import { useState, type SyntheticEvent } from "react";
import { useSearchParams } from "react-router";
import type { AuditFilters } from "../api/audit";
import { shownValue } from "../components/alerts/RuleVersions";
import { EmptyState } from "../components/ui/EmptyState";
import { LoadingState } from "../components/ui/LoadingState";
import { Pagination } from "../components/ui/Pagination";
import { QueryError } from "../components/ui/QueryError";
import { useAudit } from "../hooks/useAudit";
import { usePageTitle } from "../hooks/usePageTitle";
import { formatDateTime } from "../lib/format";
import type { AuditEntry } from "../types/audit";

const PAGE_SIZE = 50;

const OBJECT_TYPES: [string, string][] = [
  ["", "Everything"],
  ["alertrule", "Rules"],
  ["notificationchannel", "Channels"],
  ["notificationpolicy", "Policies"],
  ["silence", "Silences"],
  ["maintenancewindow", "Maintenance windows"],
  ["inhibitionrule", "Inhibition rules"],
  ["check", "Checks"],
  ["datasource", "Data sources"],
];

const SOURCES: [string, string][] = [
  ["", "Any"],
  ["dashboard", "Dashboard"],
  ["api", "API"],
  ["admin", "Admin"],
  ["import", "Import"],
  ["provisioning", "Provisioning"],
  ["system", "System"],
];

function filtersFrom(params: URLSearchParams): AuditFilters {
  const page = Number(params.get("page") ?? "1");
  return {
    object_type: params.get("object_type") ?? "",
    user: params.get("user") ?? "",
    source: params.get("source") ?? "",
    page: Number.isInteger(page) && page > 1 ? page : 1,
  };
}

function toParams(filters: AuditFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.object_type) params.set("object_type", filters.object_type);
  if (filters.user) params.set("user", filters.user);
  if (filters.source) params.set("source", filters.source);
  if (filters.page && filters.page > 1) params.set("page", String(filters.page));
  return params;
}

function Changes({ entry }: { entry: AuditEntry }) {
  const fields = Object.entries(entry.changes);
  if (fields.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="audit-changes">
      {fields.map(([field, pair]) => {
        const [before, after] = Array.isArray(pair) ? pair : [null, pair];
        return (
          <li key={field}>
            <code>{field}</code>: {entry.action === "create" ? shownValue(after) : `${shownValue(before)} → ${shownValue(after)}`}
          </li>
        );
      })}
    </ul>
  );
}

/** Every configuration change, newest first: who, when, from where, what (managers). */
export function AuditPage() {
  usePageTitle("Audit");
  const [searchParams, setSearchParams] = useSearchParams();
  const filters = filtersFrom(searchParams);
  const [userDraft, setUserDraft] = useState(filters.user ?? "");
  const audit = useAudit(filters);
  const show = (next: AuditFilters) => {
    setSearchParams(toParams(next));
  };
  const onSubmit = (event: SyntheticEvent) => {
    event.preventDefault();
    show({ ...filters, user: userDraft.trim(), page: 1 });
  };

  let body;
  if (audit.isPending) body = <LoadingState label="Loading the changes…" />;
  else if (audit.isError) body = <QueryError error={audit.error} what="the audit trail" onRetry={() => void audit.refetch()} />;
  else if (audit.data.count === 0) body = <EmptyState title="No change matches." />;
  else {
    body = (
      <>
        <div className="table-scroll">
          <table className="table">
            <caption className="visually-hidden">Configuration changes, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col">Action</th>
                <th scope="col">Who</th>
                <th scope="col">From</th>
                <th scope="col">Changes</th>
              </tr>
            </thead>
            <tbody>
              {audit.data.results.map((entry) => (
                <tr key={entry.id}>
                  <td>{formatDateTime(entry.when)}</td>
                  <td>
                    {entry.object_name} <span className="muted">({entry.object_type} #{entry.object_id})</span>
                  </td>
                  <td>{entry.action}</td>
                  <td>
                    {entry.user_name ?? "—"}
                    {entry.token_name && <span className="muted"> (token “{entry.token_name}”)</span>}
                  </td>
                  <td>
                    {entry.source}
                    {entry.address && <span className="muted"> · {entry.address}</span>}
                  </td>
                  <td>
                    <Changes entry={entry} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Pagination
          page={filters.page ?? 1}
          pageSize={PAGE_SIZE}
          count={audit.data.count}
          shown={audit.data.results.length}
          noun="change"
          onPageChange={(page) => {
            show({ ...filters, page });
          }}
        />
      </>
    );
  }

  return (
    <>
      <div className="page-header">
        <h1>Audit</h1>
        <p className="muted">Every change to rules, channels, policies, silences, maintenance windows, inhibition rules, checks and data sources.</p>
      </div>
      <div className="page-sections">
        <form className="filters" role="search" aria-label="Filter the changes" onSubmit={onSubmit}>
          <label>
            Object
            <select
              value={filters.object_type}
              onChange={(event) => {
                show({ ...filters, object_type: event.target.value, page: 1 });
              }}
            >
              {OBJECT_TYPES.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Source
            <select
              value={filters.source}
              onChange={(event) => {
                show({ ...filters, source: event.target.value, page: 1 });
              }}
            >
              {SOURCES.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            User
            <input
              type="text"
              value={userDraft}
              onChange={(event) => {
                setUserDraft(event.target.value);
              }}
            />
          </label>
          <button type="submit" className="button button--secondary">
            Apply
          </button>
        </form>
        <section className="panel" aria-label="Changes" aria-busy={audit.isFetching}>
          {body}
        </section>
      </div>
    </>
  );
}
