import { useId, type ReactNode } from "react";
import { DialogActions } from "./DialogActions";
import { useModalDialog } from "./useModalDialog";

interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** The confirmation is destructive: the button says so in colour as well as words. */
  destructive?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * A modal question, rendered only while it is asked (see `useModalDialog`); Escape cancels.
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  destructive = false,
  busy = false,
  onConfirm,
  onCancel,
}: ConfirmDialogProps) {
  const { dialogRef, cancelRef } = useModalDialog();
  const titleId = useId();
  const bodyId = useId();

  return (
    <dialog
      ref={dialogRef}
      className="dialog"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onCancel={(event) => {
        // Escape: the parent decides (it unmounts the dialog), rather than the browser closing it.
        event.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <h2 id={titleId} className="dialog__title">
        {title}
      </h2>
      <div id={bodyId} className="dialog__body">
        {children}
      </div>
      <DialogActions
        cancelRef={cancelRef}
        busy={busy}
        onCancel={onCancel}
        label={confirmLabel}
        destructive={destructive}
        onConfirm={onConfirm}
      />
    </dialog>
  );
}
