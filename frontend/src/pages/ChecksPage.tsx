import { useState } from "react";
import { Link } from "react-router";
import { ApiError } from "../api/client";
import { CheckFormDialog } from "../components/checks/CheckFormDialog";
import { CheckStatusChip, PingUrls, Sparkline } from "../components/checks/CheckParts";
import { CHECK_KIND_LABELS, checkTarget, responseTimeText, sortChecks, uptimeText } from "../components/checks/checkText";
import { ConfirmDialog } from "../components/ui/ConfirmDialog";
import { EmptyState } from "../components/ui/EmptyState";
import { LoadingState } from "../components/ui/LoadingState";
import { QueryError } from "../components/ui/QueryError";
import { PERMISSIONS, useCan } from "../hooks/auth/permissions";
import { useChecks, useDeleteCheck, useRunCheck } from "../hooks/monitoring/useChecks";
import { usePageTitle } from "../hooks/usePageTitle";
import { formatDateTime } from "../lib/format";
import { checkDetailPath, ruleDetailPath } from "../routes/paths";
import type { Check } from "../types/checks";

/** A time, or a dash when there is none. */
export function When({ iso }: { iso: string | null }) {
  return iso ? <time dateTime={iso}>{formatDateTime(iso)}</time> : <span className="muted">never</span>;
}

/** "Checks are not available on this server": what a server without the checks API says (404). */
export function ChecksUnavailable() {
  return <p className="muted">Checks are not available on this server.</p>;
}

export function isMissingEndpoint(error: Error): boolean {
  return error instanceof ApiError && error.status === 404;
}

function CheckRow({
  check,
  mayChange,
  mayDelete,
  running,
  onEdit,
  onRun,
  onDelete,
}: {
  check: Check;
  mayChange: boolean;
  mayDelete: boolean;
  running: boolean;
  onEdit: () => void;
  onRun: () => void;
  onDelete: () => void;
}) {
  return (
    <tr aria-label={check.name}>
      <th scope="row">
        <Link to={checkDetailPath(check.id)}>{check.name}</Link>
        <div className="muted check-target">{checkTarget(check)}</div>
        {!check.is_active && <span className="badge badge--inactive">Off</span>}
        {check.provisioned && <div className="muted">Provisioned from {check.provisioned}: read-only.</div>}
      </th>
      <td>{CHECK_KIND_LABELS[check.kind]}</td>
      <td>
        <CheckStatusChip status={check.status} />
        {check.status === "down" && check.last_error && <div className="check-error">{check.last_error}</div>}
      </td>
      <td>
        {check.kind === "heartbeat" ? (
          <span className="muted">–</span>
        ) : (
          <>
            <Sparkline runs={check.recent} name={check.name} />
            <div className="muted">{responseTimeText(check.last_response_time_ms)}</div>
          </>
        )}
      </td>
      <td className="numeric">{uptimeText(check.uptime["24h"])}</td>
      <td className="numeric">{uptimeText(check.uptime["7d"])}</td>
      <td className="numeric">{uptimeText(check.uptime["30d"])}</td>
      <td>
        {check.kind === "heartbeat" ? (
          <>
            Last ping: <When iso={check.last_ping_at} />
          </>
        ) : (
          <When iso={check.last_checked_at} />
        )}
      </td>
      <td className="numeric">{check.cert_days_left === null ? "" : `${check.cert_days_left} d`}</td>
      <td>
        <div className="row-actions">
          {mayChange && check.kind !== "heartbeat" && (
            <button type="button" className="button button--secondary button--small" disabled={running} onClick={onRun} aria-label={`Run ${check.name} now`}>
              {running ? "Running…" : "Run now"}
            </button>
          )}
          {mayChange && !check.provisioned && (
            <button type="button" className="button button--secondary button--small" onClick={onEdit} aria-label={`Edit ${check.name}`}>
              Edit
            </button>
          )}
          {mayDelete && !check.provisioned && (
            <button type="button" className="button button--danger-outline button--small" onClick={onDelete} aria-label={`Delete ${check.name}`}>
              Delete
            </button>
          )}
        </div>
      </td>
    </tr>
  );
}

type Editing = { check: Check | null } | null;
type Notice = { text: string; error: boolean; created?: Check } | null;

/** The checks: HTTP(S) and TCP checks and heartbeats, down first, with their uptime and last runs. */
export function ChecksPage() {
  usePageTitle("Checks");
  const can = useCan();
  const checks = useChecks();
  const remove = useDeleteCheck();
  const run = useRunCheck();
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<Check | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const mayAdd = can(PERMISSIONS.addChecks);

  let body;
  if (!can(PERMISSIONS.viewChecks)) {
    body = <p className="notice notice--warning">You may not see the checks.</p>;
  } else if (checks.isPending) {
    body = <LoadingState label="Loading the checks…" />;
  } else if (checks.isError) {
    body = isMissingEndpoint(checks.error) ? (
      <ChecksUnavailable />
    ) : (
      <QueryError error={checks.error} what="the checks" onRetry={() => void checks.refetch()} />
    );
  } else if (checks.data.length === 0) {
    body = (
      <EmptyState title="No check yet">
        <p className="muted">
          A check watches a website (HTTP), a port (TCP) or a job that pings Resee when it has run (a heartbeat).
        </p>
      </EmptyState>
    );
  } else {
    body = (
      <div className="table-scroll" role="region" aria-label="Checks" tabIndex={0}>
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Status</th>
              <th scope="col">Response time</th>
              <th scope="col" className="numeric">
                Uptime 24 h
              </th>
              <th scope="col" className="numeric">
                7 d
              </th>
              <th scope="col" className="numeric">
                30 d
              </th>
              <th scope="col">Last checked</th>
              <th scope="col" className="numeric">
                Certificate
              </th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sortChecks(checks.data).map((check) => (
              <CheckRow
                key={check.id}
                check={check}
                mayChange={can(PERMISSIONS.changeChecks)}
                mayDelete={can(PERMISSIONS.deleteChecks)}
                running={run.isPending && run.variables === check.id}
                onRun={() => {
                  setNotice(null);
                  run.mutate(check.id, {
                    onSuccess: (ran) => {
                      setNotice({ text: `Ran ${ran.name}: ${ran.status}${ran.last_error ? ` (${ran.last_error})` : ""}.`, error: false });
                    },
                    onError: (error) => {
                      setNotice({ text: `Could not run ${check.name}: ${error.message}`, error: true });
                    },
                  });
                }}
                onEdit={() => {
                  setNotice(null);
                  setEditing({ check });
                }}
                onDelete={() => {
                  setNotice(null);
                  setDeleting(check);
                }}
              />
            ))}
          </tbody>
        </table>
      </div>
    );
  }

  const unavailable = checks.isError && isMissingEndpoint(checks.error);
  return (
    <>
      <div className="page-header page-header--split">
        <div>
          <h1>Checks</h1>
          <p className="muted">Uptime checks of websites and ports, and heartbeats of jobs that ping Resee.</p>
        </div>
        {mayAdd && !unavailable && (
          <button
            type="button"
            className="button button--primary"
            onClick={() => {
              setNotice(null);
              setEditing({ check: null });
            }}
          >
            Add check
          </button>
        )}
      </div>
      <div aria-live="polite">
        {notice && (
          <div className={`notice ${notice.error ? "notice--error" : "notice--success"}`} role="status">
            <p>
              {notice.text}
              {notice.created?.rule_id != null && (
                <>
                  {" "}
                  <Link to={ruleDetailPath(notice.created.rule_id)}>The rule “{notice.created.name} is down”</Link> was made
                  with it.
                </>
              )}
            </p>
          </div>
        )}
      </div>
      {notice?.created?.kind === "heartbeat" && notice.created.ping_url && (
        <PingUrls pingUrl={notice.created.ping_url} name={notice.created.name} />
      )}
      <section className="section" aria-label="Checks list">
        {body}
      </section>
      {editing && (
        <CheckFormDialog
          check={editing.check}
          onCancel={() => {
            setEditing(null);
          }}
          onDone={(saved) => {
            setNotice(
              editing.check
                ? { text: `Saved check ${saved.name}.`, error: false }
                : { text: `Added check ${saved.name}.`, error: false, created: saved },
            );
            setEditing(null);
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete check ${deleting.name}?`}
          confirmLabel="Delete check"
          destructive
          busy={remove.isPending}
          onCancel={() => {
            setDeleting(null);
          }}
          onConfirm={() => {
            remove.mutate(deleting.id, {
              onSuccess: () => {
                setNotice({ text: `Deleted check ${deleting.name}.`, error: false });
                setDeleting(null);
              },
              onError: (error) => {
                setNotice({ text: `Could not delete check ${deleting.name}: ${error.message}`, error: true });
                setDeleting(null);
              },
            });
          }}
        >
          Its results go with it{deleting.rule_id !== null ? ", and so does its rule “" + deleting.name + " is down”" : ""}.
        </ConfirmDialog>
      )}
    </>
  );
}
