import { useEffect, useId, useRef, type ReactNode, type RefObject, type SubmitEvent } from "react";

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
}

/**
 * A modal form: the browser's modal dialog keeps the focus inside and makes the page behind inert;
 * Escape cancels (unless it is busy); the focus starts on the first field and returns where it was.
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
}: FormDialogProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const descriptionId = useId();

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    const returnFocusTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    (initialFocus?.current ?? cancelRef.current)?.focus();
    return () => {
      if (dialog.open) dialog.close();
      if (returnFocusTo?.isConnected) returnFocusTo.focus();
    };
    // Once, when the dialog opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!busy) onSubmit();
  };

  return (
    <dialog
      ref={dialogRef}
      className="dialog"
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
          <button type="submit" className="button button--primary" aria-busy={busy}>
            {busy ? busyLabel : submitLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
