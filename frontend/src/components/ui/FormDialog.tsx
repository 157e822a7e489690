import { useId, type ReactNode, type RefObject, type SubmitEvent } from "react";
import { DialogActions } from "./DialogActions";
import { useModalDialog } from "./useModalDialog";

interface FormDialogProps {
  title: string;
  /** What the dialog is about, read when it opens. */
  description?: ReactNode;
  children: ReactNode;
  submitLabel: string;
  busyLabel: string;
  busy: boolean;
  /** Where the focus starts (the first field); Cancel when not given. */
  initialFocus?: RefObject<HTMLElement | null>;
  /** Shown under the fields; announced. */
  error?: ReactNode;
  onSubmit: () => void;
  onCancel: () => void;
  /** Room for a longer form (a channel's settings). */
  wide?: boolean;
}

/**
 * A modal form (see `useModalDialog`): Escape cancels unless it is busy; the focus starts on the
 * first field.
 */
export function FormDialog({
  title,
  description,
  children,
  submitLabel,
  busyLabel,
  busy,
  initialFocus,
  error,
  onSubmit,
  onCancel,
  wide = false,
}: FormDialogProps) {
  const { dialogRef, cancelRef } = useModalDialog(initialFocus);
  const titleId = useId();
  const descriptionId = useId();

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!busy) onSubmit();
  };

  return (
    <dialog
      ref={dialogRef}
      className={wide ? "dialog dialog--wide" : "dialog"}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <form onSubmit={submit} noValidate>
        <h2 id={titleId} className="dialog__title">
          {title}
        </h2>
        {description && (
          <div id={descriptionId} className="dialog__body">
            {description}
          </div>
        )}
        <div className="form dialog__fields">{children}</div>
        <div className="dialog__error" role="alert">
          {error}
        </div>
        <DialogActions cancelRef={cancelRef} busy={busy} onCancel={onCancel} label={busy ? busyLabel : submitLabel} />
      </form>
    </dialog>
  );
}
