import { useState } from "react";
import type { ApiError } from "../../api/client";
import { plural } from "../../lib/text";
import type { ErrorBulkAction, ErrorBulkResult } from "../../types/monitoring";
import { ConfirmDialog } from "../ui/ConfirmDialog";

export interface BulkOutcome {
  kind: "success" | "failure";
  message: string;
}

const VERBS: Record<ErrorBulkAction, { button: string; busy: string; done: string; failed: string; unchanged: string }> = {
  resolve: {
    button: "Resolve",
    busy: "Resolving…",
    done: "Resolved",
    failed: "resolve",
    unchanged: "already resolved",
  },
  unresolve: { button: "Reopen", busy: "Reopening…", done: "Reopened", failed: "reopen", unchanged: "already open" },
  delete: { button: "Delete…", busy: "Deleting…", done: "Deleted", failed: "delete", unchanged: "already gone" },
};

/** What a bulk action did, in words: how many changed, and why the others did not. */
export function describeOutcome(action: ErrorBulkAction, asked: number, result: ErrorBulkResult): string {
  const verb = VERBS[action];
  const text = `${verb.done} ${plural(result.changed, "error group")}.`;
  const unchanged = asked - result.changed;
  if (unchanged <= 0) return text;
  return `${text} ${unchanged} ${unchanged === 1 ? "was" : "were"} ${verb.unchanged}.`;
}

export function describeFailure(action: ErrorBulkAction, error: ApiError): string {
  return `Could not ${VERBS[action].failed} the selected error groups: ${error.message}`;
}

interface ErrorBulkActionsProps {
  selectedCount: number;
  /** The action running now, if any. */
  pending: ErrorBulkAction | null;
  onAction: (action: ErrorBulkAction) => void;
}

/**
 * Resolve, reopen or delete the selected error groups. Deleting asks first. The buttons stay
 * focusable while nothing is selected or an action runs (aria-disabled), so focus is never lost.
 */
export function ErrorBulkActions({ selectedCount, pending, onAction }: ErrorBulkActionsProps) {
  const [confirming, setConfirming] = useState(false);
  const unavailable = selectedCount === 0 || pending !== null;

  const run = (action: ErrorBulkAction) => {
    if (unavailable) return;
    if (action === "delete") {
      setConfirming(true);
      return;
    }
    onAction(action);
  };

  return (
    <div className="bulk-bar" role="group" aria-label="Actions on the selected errors">
      <p className="bulk-bar__count" aria-live="polite">
        {selectedCount === 0 ? "Select errors to act on them." : `${plural(selectedCount, "error group")} selected`}
      </p>
      <div className="panel__actions">
        {(["resolve", "unresolve", "delete"] as const).map((action) => (
          <button
            key={action}
            type="button"
            className={`button button--small ${action === "delete" ? "button--danger-outline" : "button--secondary"}`}
            aria-disabled={unavailable}
            aria-busy={pending === action}
            onClick={() => {
              run(action);
            }}
          >
            {pending === action ? VERBS[action].busy : VERBS[action].button}
          </button>
        ))}
      </div>
      {confirming && (
        <ConfirmDialog
          title={`Delete ${plural(selectedCount, "error group")}?`}
          confirmLabel={`Delete ${plural(selectedCount, "error group")}`}
          destructive
          onCancel={() => {
            setConfirming(false);
          }}
          onConfirm={() => {
            setConfirming(false);
            onAction("delete");
          }}
        >
          <p>
            Their occurrences, tracebacks and history are removed for good. If the same error happens again, it
            starts a new group.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
