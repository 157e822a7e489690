import type { RefObject } from "react";

interface DialogActionsProps {
  /** The Cancel button, where the focus starts unless the dialog says otherwise (`useModalDialog`). */
  cancelRef: RefObject<HTMLButtonElement | null>;
  /** While busy, neither button acts (and the main one says it is busy). */
  busy: boolean;
  onCancel: () => void;
  /** The main button's words. */
  label: string;
  /** The main action is destructive: the button says so in colour as well as words. */
  destructive?: boolean;
  /** The main button's action; without it, the button submits the dialog's form. */
  onConfirm?: () => void;
}

/** A dialog's row of buttons: Cancel, then its one action. */
export function DialogActions({ cancelRef, busy, onCancel, label, destructive = false, onConfirm }: DialogActionsProps) {
  return (
    <div className="dialog__actions">
      <button
        ref={cancelRef}
        type="button"
        className="button button--secondary"
        aria-disabled={busy}
        onClick={() => {
          if (!busy) onCancel();
        }}
      >
        Cancel
      </button>
      <button
        type={onConfirm ? "button" : "submit"}
        className={`button ${destructive ? "button--danger" : "button--primary"}`}
        aria-busy={busy}
        onClick={
          onConfirm &&
          (() => {
            if (!busy) onConfirm();
          })
        }
      >
        {label}
      </button>
    </div>
  );
}
