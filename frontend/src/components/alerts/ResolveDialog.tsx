import { useId, useRef, useState } from "react";
import type { ApiError } from "../../api/client";
import { useResolveAlert } from "../../hooks/alerts/useAlerts";
import type { AlertDetail } from "../../types/alerts";
import { FormDialog } from "../ui/FormDialog";
import { TextAreaField } from "../ui/TextAreaField";

interface ResolveDialogProps {
  alertId: number;
  onResolved: (alert: AlertDetail) => void;
  onCancel: () => void;
}

function ResolveFailure({ error }: { error: ApiError }) {
  if (Object.keys(error.fieldErrors).length > 0) return null; // beside the notes
  if (error.status === 409) {
    // Someone (or the system) resolved it first: their answer says who and when.
    return (
      <p className="notice notice--error">
        Already resolved: {error.message} Close this dialog to see how it was resolved.
      </p>
    );
  }
  return <p className="notice notice--error">Could not resolve the alert: {error.message}</p>;
}

/** Resolve an open alert with notes (`POST /api/alerts/history/<id>/resolve/`); its channels are told. */
export function ResolveDialog({ alertId, onResolved, onCancel }: ResolveDialogProps) {
  const id = useId();
  const notesRef = useRef<HTMLTextAreaElement>(null);
  const resolve = useResolveAlert(alertId);
  const [notes, setNotes] = useState("");

  return (
    <FormDialog
      title={`Resolve alert #${alertId}`}
      description={
        <p>
          The alert closes with your name and these notes, and its channels are told. If the condition still holds, the
          rule fires again only after its cooldown.
        </p>
      }
      submitLabel="Resolve alert"
      busyLabel="Resolving…"
      busy={resolve.isPending}
      initialFocus={notesRef}
      error={resolve.error ? <ResolveFailure error={resolve.error} /> : null}
      onSubmit={() => {
        resolve.mutate(notes.trim(), { onSuccess: onResolved });
      }}
      onCancel={onCancel}
    >
      <TextAreaField
        id={`${id}-notes`}
        label="Notes"
        hint="What was done, or why it needs nothing. Optional, but the next person will thank you."
        errors={resolve.error?.fieldErrors.notes}
        ref={notesRef}
        rows={4}
        maxLength={10_000}
        value={notes}
        onChange={setNotes}
      />
    </FormDialog>
  );
}
