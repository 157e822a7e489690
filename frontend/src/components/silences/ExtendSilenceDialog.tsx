import { useId, useRef, useState } from "react";
import type { ApiError, FieldErrors } from "../../api/client";
import { useExtendSilence } from "../../hooks/alerts/useSilences";
import { formatDateTime, fromLocalInput, timeZoneLabel, toLocalInput } from "../../lib/format";
import type { Silence } from "../../types/alerts";
import { Field } from "../ui/Field";
import { FormDialog } from "../ui/FormDialog";
import { DURATION_PRESETS } from "./silenceText";

/** A later end for a silence: a number of hours after its current end, or an exact time. */
export function ExtendSilenceDialog({ silence, onDone, onCancel }: { silence: Silence; onDone: (saved: Silence) => void; onCancel: () => void }) {
  const prefix = useId().replace(/:/g, "");
  const endRef = useRef<HTMLInputElement>(null);
  const [endsAt, setEndsAt] = useState(toLocalInput(new Date(new Date(silence.ends_at).getTime() + 3_600_000).toISOString()));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const extend = useExtendSilence();
  const refused = (error: ApiError) => {
    setErrors(error.fieldErrors);
    setFailure(Object.keys(error.fieldErrors).length > 0 ? "Not extended: check the end." : `Not extended: ${error.message}`);
  };
  return (
    <FormDialog
      title={`Extend silence #${silence.id}`}
      description={`It ends ${formatDateTime(silence.ends_at)} now.`}
      submitLabel="Extend"
      busyLabel="Extending…"
      busy={extend.isPending}
      initialFocus={endRef}
      error={failure}
      onSubmit={() => {
        setFailure(null);
        extend.mutate({ id: silence.id, request: { ends_at: fromLocalInput(endsAt) ?? "" } }, { onSuccess: onDone, onError: refused });
      }}
      onCancel={onCancel}
    >
      <Field id={`${prefix}-ends`} label="New end" hint={`In ${timeZoneLabel()}.`} errors={[...(errors.ends_at ?? []), ...(errors.minutes ?? [])]}>
        {(control) => (
          <input
            {...control}
            ref={endRef}
            type="datetime-local"
            className="field__input"
            value={endsAt}
            onChange={(event) => {
              setEndsAt(event.target.value);
            }}
          />
        )}
      </Field>
      <div className="silence-durations" role="group" aria-label="Current end plus">
        <span className="field__hint">Current end plus:</span>
        {DURATION_PRESETS.slice(0, 5).map((preset) => (
          <button
            key={preset.minutes}
            type="button"
            className="button button--secondary button--small"
            onClick={() => {
              setEndsAt(toLocalInput(new Date(new Date(silence.ends_at).getTime() + preset.minutes * 60_000).toISOString()));
            }}
          >
            {preset.label}
          </button>
        ))}
      </div>
    </FormDialog>
  );
}
