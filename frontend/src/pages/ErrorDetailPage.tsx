import { useState } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import { ApiError } from "../api/client";
import { describeFailure, type BulkOutcome } from "../components/monitoring/ErrorBulkActions";
import { LevelBadge, StatusBadge } from "../components/monitoring/ErrorLogTable";
import { ConfirmDialog } from "../components/ui/ConfirmDialog";
import { ErrorState } from "../components/ui/ErrorState";
import { LoadingState } from "../components/ui/LoadingState";
import { useBulkErrorAction, useErrorLog } from "../hooks/monitoring/useMonitoring";
import { usePageTitle } from "../hooks/usePageTitle";
import { formatDateTime, formatNumber } from "../lib/format";
import { paths } from "../routes/paths";
import type { ErrorBulkAction, ErrorLogDetail } from "../types/monitoring";
import { Fact } from "../components/ui/Fact";

/** What resolving or reopening one error said: [changed, already so]. */
const SINGLE_OUTCOMES = {
  resolve: ["Resolved this error group.", "This error group was already resolved."],
  unresolve: ["Reopened this error group.", "This error group was already open."],
} as const;

/** The list's query string handed over by the list, so that "back" returns to the same view. */
function listSearchFrom(state: unknown): string {
  if (typeof state === "object" && state !== null && "listSearch" in state && typeof state.listSearch === "string") {
    return state.listSearch;
  }
  return "";
}

function None() {
  return <span className="muted">none</span>;
}

function ErrorFacts({ error }: { error: ErrorLogDetail }) {
  return (
    <dl className="facts facts--grid">
      <Fact term="Level">
        <LevelBadge level={error.level} />
      </Fact>
      <Fact term="Status">
        <StatusBadge resolved={error.resolved} />
        {error.resolved_at && (
          <span className="facts__note">
            since <time dateTime={error.resolved_at}>{formatDateTime(error.resolved_at)}</time>
          </span>
        )}
      </Fact>
      <Fact term="Occurrences">{formatNumber(error.occurrences)}</Fact>
      <Fact term="First seen">
        <time dateTime={error.first_seen}>{formatDateTime(error.first_seen)}</time>
      </Fact>
      <Fact term="Last seen">
        <time dateTime={error.last_seen}>{formatDateTime(error.last_seen)}</time>
      </Fact>
      <Fact term="Path">{error.path ? <code>{error.path}</code> : <None />}</Fact>
      <Fact term="Method">{error.method || <None />}</Fact>
      <Fact term="User">{error.user ?? <None />}</Fact>
      <Fact term="Service">{error.service}</Fact>
      <Fact term="Logger">{error.logger ? <code>{error.logger}</code> : <None />}</Fact>
      <Fact term="Exception">{error.exception_type ? <code>{error.exception_type}</code> : <None />}</Fact>
    </dl>
  );
}

function Traceback({ text }: { text: string }) {
  if (!text) {
    return <p className="muted">No traceback: this error was logged without an exception.</p>;
  }
  return (
    // Focusable, so that a keyboard can scroll it; labelled, so that it is found as a region.
    <pre className="traceback" tabIndex={0} role="region" aria-label="Traceback">
      {text}
    </pre>
  );
}

/** One error group: what happened, where, how often, and its traceback. */
export function ErrorDetailPage() {
  const { id: rawId = "" } = useParams();
  const id = /^\d+$/.test(rawId) ? Number(rawId) : 0;
  usePageTitle(id ? `Error #${id}` : "Error");
  const location = useLocation();
  const navigate = useNavigate();
  const listSearch = listSearchFrom(location.state);
  const listPath = listSearch ? `${paths.errors}?${listSearch}` : paths.errors;
  const error = useErrorLog(id);
  const bulk = useBulkErrorAction();
  const [confirming, setConfirming] = useState(false);
  const [outcome, setOutcome] = useState<BulkOutcome | null>(null);

  const run = (action: ErrorBulkAction) => {
    if (bulk.isPending) return;
    setOutcome(null);
    bulk.mutate(
      { ids: [id], action },
      {
        onSuccess: (result) => {
          if (action === "delete") {
            void navigate(listPath, { state: { notice: `Deleted error #${id}.` } });
          } else {
            setOutcome({ kind: "success", message: SINGLE_OUTCOMES[action][result.changed > 0 ? 0 : 1] });
          }
        },
        onError: (failure) => {
          setOutcome({ kind: "failure", message: describeFailure(action, failure) });
        },
      },
    );
  };

  let body;
  if (!id) {
    body = <ErrorState title="There is no such error" message={`"${rawId}" is not an error number.`} />;
  } else if (error.isPending) {
    body = <LoadingState label="Loading the error…" />;
  } else if (error.isError) {
    const gone = error.error instanceof ApiError && error.error.status === 404;
    body = gone ? (
      <ErrorState title={`There is no error #${id}`} message="It may have been deleted, or expired after the retention period." />
    ) : (
      <ErrorState title="Could not load the error" message={error.error.message} onRetry={() => void error.refetch()} />
    );
  } else {
    const data = error.data;
    const pending = bulk.isPending ? bulk.variables.action : null;
    body = (
      <>
        <p className="error-message">{data.message}</p>
        <div className="panel__actions" role="group" aria-label="Actions on this error">
          <button
            type="button"
            className="button button--secondary"
            aria-busy={pending === "resolve" || pending === "unresolve"}
            aria-disabled={pending !== null}
            onClick={() => {
              run(data.resolved ? "unresolve" : "resolve");
            }}
          >
            {pending === "resolve" ? "Resolving…" : pending === "unresolve" ? "Reopening…" : data.resolved ? "Reopen" : "Resolve"}
          </button>
          <button
            type="button"
            className="button button--danger-outline"
            aria-busy={pending === "delete"}
            aria-disabled={pending !== null}
            onClick={() => {
              if (pending === null) setConfirming(true);
            }}
          >
            {pending === "delete" ? "Deleting…" : "Delete…"}
          </button>
        </div>
        <div role="status" className="outcome">
          {outcome?.kind === "success" && <p className="notice notice--success">{outcome.message}</p>}
        </div>
        {outcome?.kind === "failure" && (
          <p className="notice notice--error" role="alert">
            {outcome.message}
          </p>
        )}
        <section className="panel" aria-labelledby="facts-heading">
          <h2 id="facts-heading">Details</h2>
          <ErrorFacts error={data} />
        </section>
        {/* Not a region itself: the traceback inside is the region, named "Traceback". */}
        <div className="panel">
          <h2>Traceback</h2>
          <Traceback text={data.traceback} />
        </div>
        {confirming && (
          <ConfirmDialog
            title={`Delete error #${id}?`}
            confirmLabel="Delete this error group"
            destructive
            onCancel={() => {
              setConfirming(false);
            }}
            onConfirm={() => {
              setConfirming(false);
              run("delete");
            }}
          >
            <p>Its occurrences and traceback are removed for good. If it happens again, it starts a new group.</p>
          </ConfirmDialog>
        )}
      </>
    );
  }

  return (
    <>
      <div className="page-header">
        <p>
          <Link to={listPath}>
            <span aria-hidden="true">← </span>Error logs
          </Link>
        </p>
        <h1>{id ? `Error #${id}` : "Error"}</h1>
      </div>
      <div className="page-sections">{body}</div>
    </>
  );
}
