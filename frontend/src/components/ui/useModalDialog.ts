import { useEffect, useRef, type RefObject } from "react";

/**
 * Opens a `<dialog>` as the browser's modal while the component is mounted: the focus stays inside
 * and the page behind is inert. The focus starts on `initialFocus`, or on the dialog's Cancel
 * button (the safe choice), and returns to where it was when the dialog closes.
 */
export function useModalDialog(initialFocus?: RefObject<HTMLElement | null>) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);

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

  return { dialogRef, cancelRef };
}
