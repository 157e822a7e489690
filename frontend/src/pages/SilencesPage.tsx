import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { ExtendSilenceDialog } from "../components/silences/ExtendSilenceDialog";
import { SilenceFormDialog } from "../components/silences/SilenceFormDialog";
import { MatcherChips } from "../components/silences/MatcherChips";
import { ConfirmDialog } from "../components/ui/ConfirmDialog";
import { EmptyState } from "../components/ui/EmptyState";
import { LoadingState } from "../components/ui/LoadingState";
import { QueryError } from "../components/ui/QueryError";
import { useDeleteSilence, useExpireSilence, useSilences } from "../hooks/alerts/useSilences";
import { PERMISSIONS, useCan } from "../hooks/auth/permissions";
import { usePageTitle } from "../hooks/usePageTitle";
import { formatDateTime } from "../lib/format";
import { paths } from "../routes/paths";
import { SILENCE_STATES, type Silence, type SilenceState } from "../types/alerts";

const STATE_LABELS: Record<SilenceState, string> = { active: "Active", pending: "Pending", expired: "Expired" };
const TABS: readonly { value: SilenceState | "all"; label: string }[] = [
  ...SILENCE_STATES.map((value) => ({ value, label: STATE_LABELS[value] })),
  { value: "all", label: "All" },
];

function stateFrom(raw: string | null): SilenceState | "all" {
  if (raw === "all") return "all";
  return SILENCE_STATES.find((state) => state === raw) ?? "active";
}

interface SilenceItemProps {
  silence: Silence;
  mayChange: boolean;
  mayDelete: boolean;
  busy: boolean;
  onExpire: () => void;
  onExtend: () => void;
  onDelete: () => void;
}

function SilenceItem({ silence, mayChange, mayDelete, busy, onExpire, onExtend, onDelete }: SilenceItemProps) {
  const live = silence.state !== "expired";
  return (
    <li className="silence-item" aria-label={`Silence #${silence.id}`}>
      <div className="silence-item__head">
        <span className={`badge badge--silence-${silence.state}`}>{STATE_LABELS[silence.state]}</span>
        <strong>Silence #{silence.id}</strong>
        <MatcherChips matchers={silence.matchers} label={`Matchers of silence #${silence.id}`} />
      </div>
      <dl className="facts facts--grid">
        <div>
          <dt>Starts</dt>
          <dd>
            <time dateTime={silence.starts_at}>{formatDateTime(silence.starts_at)}</time>
          </dd>
        </div>
        <div>
          <dt>Ends</dt>
          <dd>
            <time dateTime={silence.ends_at}>{formatDateTime(silence.ends_at)}</time>
          </dd>
        </div>
        <div>
          <dt>Created by</dt>
          <dd>{silence.created_by ?? "a user since deleted"}</dd>
        </div>
      </dl>
      <p className="notes">{silence.comment}</p>
      {silence.provisioned && <p className="muted">Provisioned from {silence.provisioned}: read-only.</p>}
      <div className="silence-item__actions">
        {live && mayChange && !silence.provisioned && (
          <>
            <button type="button" className="button button--secondary button--small" disabled={busy} onClick={onExpire}>
              {silence.state === "pending" ? "Cancel (expire)" : "Expire now"}
            </button>
            <button type="button" className="button button--secondary button--small" onClick={onExtend}>
              Extend…
            </button>
          </>
        )}
        {mayDelete && !silence.provisioned && (
          <button type="button" className="button button--danger-outline button--small" onClick={onDelete}>
            Delete
          </button>
        )}
      </div>
    </li>
  );
}

/**
 * The silences, active, pending or expired (in the address as `?state=`): their matchers, when they
 * start and end, why and who made them. Managers add one (with a preview of the open alerts it would
 * hold), expire it now, extend it or delete it.
 */
export function SilencesPage() {
  usePageTitle("Silences");
  const can = useCan();
  const [search, setSearch] = useSearchParams();
  const state = stateFrom(search.get("state"));
  const silences = useSilences(state === "all" ? undefined : state);
  const expire = useExpireSilence();
  const remove = useDeleteSilence();
  const [adding, setAdding] = useState(false);
  const [extending, setExtending] = useState<Silence | null>(null);
  const [deleting, setDeleting] = useState<Silence | null>(null);
  const [notice, setNotice] = useState<{ text: string; error: boolean } | null>(null);

  let body;
  if (!can(PERMISSIONS.viewSilences)) {
    body = <p className="notice notice--warning">You may not see the silences.</p>;
  } else if (silences.isPending) {
    body = <LoadingState label="Loading the silences…" />;
  } else if (silences.isError) {
    body = <QueryError error={silences.error} what="the silences" onRetry={() => void silences.refetch()} />;
  } else if (silences.data.results.length === 0) {
    body = (
      <EmptyState title={state === "all" ? "No silence yet" : `No ${STATE_LABELS[state].toLowerCase()} silence`}>
        <p className="muted">A silence holds the notifications of the alerts it matches for a while, e.g. during a fix.</p>
      </EmptyState>
    );
  } else {
    body = (
      <ul className="silence-list" aria-label="Silences">
        {silences.data.results.map((silence) => (
          <SilenceItem
            key={silence.id}
            silence={silence}
            mayChange={can(PERMISSIONS.changeSilences)}
            mayDelete={can(PERMISSIONS.deleteSilences)}
            busy={expire.isPending}
            onExpire={() => {
              setNotice(null);
              expire.mutate(silence.id, {
                onSuccess: () => {
                  setNotice({ text: `Silence #${silence.id} expired: what it held and is still open is notified once.`, error: false });
                },
                onError: (error) => {
                  setNotice({ text: `Could not expire silence #${silence.id}: ${error.message}`, error: true });
                },
              });
            }}
            onExtend={() => {
              setNotice(null);
              setExtending(silence);
            }}
            onDelete={() => {
              setNotice(null);
              setDeleting(silence);
            }}
          />
        ))}
      </ul>
    );
  }

  return (
    <>
      <div className="page-header page-header--split">
        <div>
          <h1>Silences</h1>
          <p className="muted">
            While a silence lasts, the alerts it matches are opened and recorded, but nobody is notified. For a silence
            that comes back every week, see the <Link to={paths.maintenanceWindows}>maintenance windows</Link>.
          </p>
        </div>
        {can(PERMISSIONS.addSilences) && (
          <button
            type="button"
            className="button button--primary"
            onClick={() => {
              setNotice(null);
              setAdding(true);
            }}
          >
            Add silence
          </button>
        )}
      </div>
      <nav className="tabs" aria-label="Silences by state">
        {TABS.map((tab) => (
          <button
            key={tab.value}
            type="button"
            className={`tabs__tab${tab.value === state ? " is-current" : ""}`}
            aria-pressed={tab.value === state}
            onClick={() => {
              setSearch(tab.value === "active" ? {} : { state: tab.value });
            }}
          >
            {tab.label}
          </button>
        ))}
      </nav>
      <div aria-live="polite">
        {notice && (
          <p className={`notice ${notice.error ? "notice--error" : "notice--success"}`} role="status">
            {notice.text}
          </p>
        )}
      </div>
      <section className="section" aria-label={`Silences: ${state === "all" ? "all" : STATE_LABELS[state].toLowerCase()}`}>
        {body}
      </section>
      {adding && (
        <SilenceFormDialog
          draft={{ matchers: [{ label: "", op: "=", value: "" }] }}
          onCancel={() => {
            setAdding(false);
          }}
          onDone={(saved) => {
            setAdding(false);
            setNotice({ text: `Added silence #${saved.id}, until ${formatDateTime(saved.ends_at)}.`, error: false });
          }}
        />
      )}
      {extending && (
        <ExtendSilenceDialog
          silence={extending}
          onCancel={() => {
            setExtending(null);
          }}
          onDone={(saved) => {
            setExtending(null);
            setNotice({ text: `Silence #${saved.id} now ends ${formatDateTime(saved.ends_at)}.`, error: false });
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete silence #${deleting.id}?`}
          confirmLabel="Delete silence"
          destructive
          busy={remove.isPending}
          onCancel={() => {
            setDeleting(null);
          }}
          onConfirm={() => {
            remove.mutate(deleting.id, {
              onSuccess: () => {
                setNotice({ text: `Deleted silence #${deleting.id}.`, error: false });
                setDeleting(null);
              },
              onError: (error) => {
                setNotice({ text: `Could not delete silence #${deleting.id}: ${error.message}`, error: true });
                setDeleting(null);
              },
            });
          }}
        >
          It is gone from the list; what it holds and is still open is notified once.
        </ConfirmDialog>
      )}
    </>
  );
}
