import { useState } from "react";
import { Link } from "react-router";
import { MaintenanceWindowFormDialog, WEEKDAYS } from "../components/silences/MaintenanceWindowFormDialog";
import { MatcherChips } from "../components/silences/MatcherChips";
import { ConfirmDialog } from "../components/ui/ConfirmDialog";
import { EmptyState } from "../components/ui/EmptyState";
import { LoadingState } from "../components/ui/LoadingState";
import { QueryError } from "../components/ui/QueryError";
import { useDeleteMaintenanceWindow, useMaintenanceWindows } from "../hooks/alerts/useSilences";
import { PERMISSIONS, useCan } from "../hooks/auth/permissions";
import { usePageTitle } from "../hooks/usePageTitle";
import { formatDateTime } from "../lib/format";
import { paths } from "../routes/paths";
import type { MaintenanceWindow } from "../types/alerts";

/** "Monday, Wednesday", or "Every day". */
export function weekdaysText(days: readonly number[]): string {
  if (days.length === 7) return "Every day";
  return [...days]
    .sort((a, b) => a - b)
    .map((day) => WEEKDAYS[day] ?? `day ${day}`)
    .join(", ");
}

function WindowItem({
  window,
  mayChange,
  mayDelete,
  onEdit,
  onDelete,
}: {
  window: MaintenanceWindow;
  mayChange: boolean;
  mayDelete: boolean;
  onEdit: () => void;
  onDelete: () => void;
}) {
  return (
    <li className="silence-item" aria-label={`Maintenance window #${window.id}`}>
      <div className="silence-item__head">
        {window.active_now ? (
          <span className="badge badge--silence-active">Active now</span>
        ) : (
          <span className="badge badge--silence-pending">Not now</span>
        )}
        <strong>
          {weekdaysText(window.weekdays)}, {window.start_time}–{window.end_time} ({window.time_zone})
        </strong>
        <MatcherChips matchers={window.matchers} label={`Matchers of maintenance window #${window.id}`} />
      </div>
      <dl className="facts facts--grid">
        {window.active_now && window.current_ends_at && (
          <div>
            <dt>Open until</dt>
            <dd>
              <time dateTime={window.current_ends_at}>{formatDateTime(window.current_ends_at)}</time>
            </dd>
          </div>
        )}
        <div>
          <dt>Next start</dt>
          <dd>{window.next_start ? <time dateTime={window.next_start}>{formatDateTime(window.next_start)}</time> : "None to come"}</dd>
        </div>
        <div>
          <dt>Days</dt>
          <dd>
            {window.starts_on ? `From ${window.starts_on}` : "From now on"}
            {window.ends_on ? `, last ${window.ends_on}` : ", no end"}
          </dd>
        </div>
        <div>
          <dt>Created by</dt>
          <dd>{window.created_by ?? "a user since deleted"}</dd>
        </div>
      </dl>
      <p className="notes">{window.comment}</p>
      {window.provisioned && <p className="muted">Provisioned from {window.provisioned}: read-only.</p>}
      <div className="silence-item__actions">
        {mayChange && !window.provisioned && (
          <button type="button" className="button button--secondary button--small" onClick={onEdit}>
            Edit
          </button>
        )}
        {mayDelete && !window.provisioned && (
          <button type="button" className="button button--danger-outline button--small" onClick={onDelete}>
            Delete
          </button>
        )}
      </div>
    </li>
  );
}

type Editing = { window: MaintenanceWindow | null } | null;

/** The maintenance windows: recurring silences, each with whether it is open now and when it next opens. */
export function MaintenanceWindowsPage() {
  usePageTitle("Maintenance windows");
  const can = useCan();
  const windows = useMaintenanceWindows();
  const remove = useDeleteMaintenanceWindow();
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<MaintenanceWindow | null>(null);
  const [notice, setNotice] = useState<{ text: string; error: boolean } | null>(null);

  let body;
  if (!can(PERMISSIONS.viewMaintenanceWindows)) {
    body = <p className="notice notice--warning">You may not see the maintenance windows.</p>;
  } else if (windows.isPending) {
    body = <LoadingState label="Loading the maintenance windows…" />;
  } else if (windows.isError) {
    body = <QueryError error={windows.error} what="the maintenance windows" onRetry={() => void windows.refetch()} />;
  } else if (windows.data.results.length === 0) {
    body = (
      <EmptyState title="No maintenance window yet">
        <p className="muted">A window silences the alerts it matches at the same times each week, e.g. Sunday 02:00–04:00.</p>
      </EmptyState>
    );
  } else {
    body = (
      <ul className="silence-list" aria-label="Maintenance windows">
        {windows.data.results.map((window) => (
          <WindowItem
            key={window.id}
            window={window}
            mayChange={can(PERMISSIONS.changeMaintenanceWindows)}
            mayDelete={can(PERMISSIONS.deleteMaintenanceWindows)}
            onEdit={() => {
              setNotice(null);
              setEditing({ window });
            }}
            onDelete={() => {
              setNotice(null);
              setDeleting(window);
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
          <h1>Maintenance windows</h1>
          <p className="muted">
            Silences that come back on the same weekdays and times. For a one-off, add a{" "}
            <Link to={paths.silences}>silence</Link>.
          </p>
        </div>
        {can(PERMISSIONS.addMaintenanceWindows) && (
          <button
            type="button"
            className="button button--primary"
            onClick={() => {
              setNotice(null);
              setEditing({ window: null });
            }}
          >
            Add maintenance window
          </button>
        )}
      </div>
      <div aria-live="polite">
        {notice && (
          <p className={`notice ${notice.error ? "notice--error" : "notice--success"}`} role="status">
            {notice.text}
          </p>
        )}
      </div>
      <section className="section" aria-label="Maintenance windows list">
        {body}
      </section>
      {editing && (
        <MaintenanceWindowFormDialog
          window={editing.window}
          onCancel={() => {
            setEditing(null);
          }}
          onDone={(saved) => {
            setNotice({ text: editing.window ? `Saved maintenance window #${saved.id}.` : `Added maintenance window #${saved.id}.`, error: false });
            setEditing(null);
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete maintenance window #${deleting.id}?`}
          confirmLabel="Delete window"
          destructive
          busy={remove.isPending}
          onCancel={() => {
            setDeleting(null);
          }}
          onConfirm={() => {
            remove.mutate(deleting.id, {
              onSuccess: () => {
                setNotice({ text: `Deleted maintenance window #${deleting.id}.`, error: false });
                setDeleting(null);
              },
              onError: (error) => {
                setNotice({ text: `Could not delete maintenance window #${deleting.id}: ${error.message}`, error: true });
                setDeleting(null);
              },
            });
          }}
        >
          Alerts it matches are notified again at its times; what it holds now and is still open is notified once.
        </ConfirmDialog>
      )}
    </>
  );
}
