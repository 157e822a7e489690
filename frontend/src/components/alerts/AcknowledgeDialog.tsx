import { useId, useRef, useState } from "react";
import type { ApiError } from "../../api/client";
import { useAcknowledgeAlert } from "../../hooks/alerts/useAlerts";
import type { AlertDetail } from "../../types/alerts";
import { FormDialog } from "../ui/FormDialog";
import { TextAreaField } from "../ui/TextAreaField";

interface AcknowledgeDialogProps {
  alertId: number;
  onAcknowledged: (alert: AlertDetail) => void;
  onCancel: () => void;
}

function AcknowledgeFailure({ error }: { error: ApiError }) {
  if (Object.keys(error.fieldErrors).length > 0) return null; // beside the comment
  if (error.status === 409) {
    // Resolved (by someone or by the system) before this reached the server: their answer says who and when.
    return (
      <p className="notice notice--error">
        Already resolved: {error.message} Close this dialog to see how it was resolved.
      </p>
    );
  }
  return <p className="notice notice--error">Could not acknowledge the alert: {error.message}</p>;
}

/**
 * Acknowledge an open alert with an optional comment (`POST /api/alerts/history/<id>/acknowledge/`):
 * it says "I have it", its reminders stop and its channels hear it once.
 */
export function AcknowledgeDialog({ alertId, onAcknowledged, onCancel }: AcknowledgeDialogProps) {
  const id = useId();
  const commentRef = useRef<HTMLTextAreaElement>(null);
  const acknowledge = useAcknowledgeAlert(alertId);
  const [comment, setComment] = useState("");

  return (
    <FormDialog
      title={`Acknowledge alert #${alertId}`}
      description={
        <p>
          The alert stays open, marked as yours. Its reminders stop until it is resolved or given back, and its channels
          hear once that you have it.
        </p>
      }
      submitLabel="Acknowledge alert"
      busyLabel="Acknowledging…"
      busy={acknowledge.isPending}
      initialFocus={commentRef}
      error={acknowledge.error ? <AcknowledgeFailure error={acknowledge.error} /> : null}
      onSubmit={() => {
        acknowledge.mutate(comment.trim(), { onSuccess: onAcknowledged });
      }}
      onCancel={onCancel}
    >
      <TextAreaField
        id={`${id}-comment`}
        label="Comment"
        hint="What you are looking at, or when you expect to know more. Optional."
        errors={acknowledge.error?.fieldErrors.comment}
        ref={commentRef}
        rows={3}
        maxLength={10_000}
        value={comment}
        onChange={setComment}
      />
    </FormDialog>
  );
}
