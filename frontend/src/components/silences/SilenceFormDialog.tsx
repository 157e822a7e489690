import { useId, useRef, useState } from "react";
import type { ApiError, FieldErrors } from "../../api/client";
import { useCreateSilence } from "../../hooks/alerts/useSilences";
import { fromLocalInput, timeZoneLabel, toLocalInput } from "../../lib/format";
import type { LabelMatcher, Silence, SilenceInput } from "../../types/alerts";
import { MatchersEditor } from "../alerts/LabelFields";
import { Field } from "../ui/Field";
import { FormDialog } from "../ui/FormDialog";
import { TextAreaField } from "../ui/TextAreaField";
import { DURATION_PRESETS, SILENCE_MATCHER_HINT } from "./silenceText";
import { SilencePreviewPanel } from "./SilencePreviewPanel";

const COMMENT_MAX = 2000;

export interface SilenceDraft {
  matchers: LabelMatcher[];
  /** ISO; blank: now. */
  startsAt?: string;
  endsAt?: string;
  comment?: string;
  /** The alert it is made from: sent as `from_alert`. */
  fromAlert?: number;
}

interface SilenceFormDialogProps {
  draft: SilenceDraft;
  onDone: (saved: Silence) => void;
  onCancel: () => void;
  /** How long the preview waits for the matchers to settle (ms). */
  previewDelay?: number;
}

function plusMinutes(base: string, minutes: number): string {
  const start = base ? new Date(base) : new Date();
  const from = Number.isNaN(start.getTime()) ? new Date() : start;
  return toLocalInput(new Date(from.getTime() + minutes * 60_000).toISOString());
}

/**
 * A new silence: matchers (with a live preview of the open alerts they would hold), when it starts
 * (blank: now) and ends (or a duration from the start), and why. Each field the server refuses shows
 * its message beside it.
 */
export function SilenceFormDialog({ draft, onDone, onCancel, previewDelay }: SilenceFormDialogProps) {
  const prefix = useId().replace(/:/g, "");
  const commentRef = useRef<HTMLTextAreaElement>(null);
  const [matchers, setMatchers] = useState<LabelMatcher[]>(draft.matchers);
  const [startsAt, setStartsAt] = useState(toLocalInput(draft.startsAt));
  const [endsAt, setEndsAt] = useState(toLocalInput(draft.endsAt) || plusMinutes("", 60));
  const [comment, setComment] = useState(draft.comment ?? "");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const create = useCreateSilence();
  const zone = timeZoneLabel();

  const refused = (error: ApiError) => {
    setErrors(error.fieldErrors);
    const hasFields = Object.keys(error.fieldErrors).length > 0;
    setFailure(hasFields ? ["Not saved: check the fields.", ...error.nonFieldErrors].join(" ") : `Not saved: ${error.message}`);
  };

  const submit = () => {
    setFailure(null);
    const body: SilenceInput = { matchers, ends_at: fromLocalInput(endsAt) ?? "", comment };
    const starts = fromLocalInput(startsAt);
    if (starts) body.starts_at = starts;
    if (draft.fromAlert !== undefined) body.from_alert = draft.fromAlert;
    create.mutate(body, { onSuccess: onDone, onError: refused });
  };

  return (
    <FormDialog
      title={draft.fromAlert !== undefined ? `Silence alert #${draft.fromAlert}` : "Add a silence"}
      description="Alerts it matches while it lasts are opened and recorded, but nobody is notified. When it ends, what it held and is still open is notified once."
      submitLabel="Add silence"
      busyLabel="Saving…"
      busy={create.isPending}
      initialFocus={commentRef}
      error={failure}
      onSubmit={submit}
      onCancel={onCancel}
      wide
    >
      <MatchersEditor
        id={`${prefix}-matchers`}
        name="matchers"
        matchers={matchers}
        onChange={setMatchers}
        known={{ severity: ["critical", "high", "medium", "low"] }}
        truncated={[]}
        errors={errors}
        hint={SILENCE_MATCHER_HINT}
      />
      <SilencePreviewPanel matchers={matchers} {...(previewDelay === undefined ? {} : { delay: previewDelay })} />
      <div className="form-grid">
        <Field id={`${prefix}-starts`} label="Starts" hint={`In ${zone}. Blank: now.`} errors={errors.starts_at}>
          {(control) => (
            <input
              {...control}
              type="datetime-local"
              className="field__input"
              value={startsAt}
              onChange={(event) => {
                setStartsAt(event.target.value);
              }}
            />
          )}
        </Field>
        <Field id={`${prefix}-ends`} label="Ends" hint={`In ${zone}.`} errors={errors.ends_at} required>
          {(control) => (
            <input
              {...control}
              type="datetime-local"
              className="field__input"
              value={endsAt}
              onChange={(event) => {
                setEndsAt(event.target.value);
              }}
            />
          )}
        </Field>
      </div>
      <div className="silence-durations" role="group" aria-label="Ends after">
        <span className="field__hint">Ends after:</span>
        {DURATION_PRESETS.map((preset) => (
          <button
            key={preset.minutes}
            type="button"
            className="button button--secondary button--small"
            onClick={() => {
              setEndsAt(plusMinutes(startsAt, preset.minutes));
            }}
          >
            {preset.label}
          </button>
        ))}
      </div>
      <TextAreaField
        id={`${prefix}-comment`}
        ref={commentRef}
        label="Comment"
        hint="Why (the others on call read it). Required."
        errors={errors.comment}
        value={comment}
        onChange={setComment}
        rows={3}
        maxLength={COMMENT_MAX}
      />
    </FormDialog>
  );
}
