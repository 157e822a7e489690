import { useId, useMemo, useRef, useState } from "react";
import type { ApiError, FieldErrors } from "../../api/client";
import { useSaveMaintenanceWindow } from "../../hooks/alerts/useSilences";
import type { LabelMatcher, MaintenanceWindow, MaintenanceWindowInput } from "../../types/alerts";
import { MatchersEditor } from "../alerts/LabelFields";
import { Field } from "../ui/Field";
import { FormDialog } from "../ui/FormDialog";
import { TextAreaField } from "../ui/TextAreaField";
import { SILENCE_MATCHER_HINT } from "./silenceText";
import { SilencePreviewPanel } from "./SilencePreviewPanel";

/** 0 Monday … 6 Sunday, as the API numbers them. */
export const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;

/** The IANA zones the browser knows, UTC first; the reader's own zone is the default. */
function timeZones(current: string): string[] {
  const known = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  const zones = new Set(["UTC", current, ...known]);
  return [...zones];
}

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

interface MaintenanceWindowFormDialogProps {
  /** The window to change; null to add one. */
  window: MaintenanceWindow | null;
  onDone: (saved: MaintenanceWindow) => void;
  onCancel: () => void;
  previewDelay?: number;
}

export function MaintenanceWindowFormDialog({ window: existing, onDone, onCancel, previewDelay }: MaintenanceWindowFormDialogProps) {
  const prefix = useId().replace(/:/g, "");
  const startRef = useRef<HTMLInputElement>(null);
  const [weekdays, setWeekdays] = useState<number[]>(existing ? [...existing.weekdays] : [6]);
  const [startTime, setStartTime] = useState(existing?.start_time ?? "02:00");
  const [endTime, setEndTime] = useState(existing?.end_time ?? "04:00");
  const [timeZone, setTimeZone] = useState(existing?.time_zone ?? browserTimeZone());
  const [startsOn, setStartsOn] = useState(existing?.starts_on ?? "");
  const [endsOn, setEndsOn] = useState(existing?.ends_on ?? "");
  const [matchers, setMatchers] = useState<LabelMatcher[]>(
    existing ? existing.matchers.map((matcher) => ({ ...matcher })) : [{ label: "", op: "=", value: "" }],
  );
  const [comment, setComment] = useState(existing?.comment ?? "");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const save = useSaveMaintenanceWindow();
  const zones = useMemo(() => timeZones(timeZone), [timeZone]);

  const refused = (error: ApiError) => {
    setErrors(error.fieldErrors);
    const hasFields = Object.keys(error.fieldErrors).length > 0;
    setFailure(hasFields ? ["Not saved: check the fields.", ...error.nonFieldErrors].join(" ") : `Not saved: ${error.message}`);
  };

  const submit = () => {
    setFailure(null);
    const input: MaintenanceWindowInput = {
      matchers,
      weekdays: [...weekdays].sort((a, b) => a - b),
      start_time: startTime,
      end_time: endTime,
      time_zone: timeZone,
      starts_on: startsOn || null,
      ends_on: endsOn || null,
      comment,
    };
    save.mutate({ id: existing?.id ?? null, input }, { onSuccess: onDone, onError: refused });
  };

  const dayErrors = Object.entries(errors).flatMap(([path, messages]) => (path === "weekdays" || path.startsWith("weekdays.") ? messages : []));
  const daysId = `${prefix}-days`;

  return (
    <FormDialog
      title={existing ? `Edit maintenance window #${existing.id}` : "Add a maintenance window"}
      description="On each chosen day, from the start to the end time in its time zone, the alerts it matches are recorded but nobody is notified. An end before the start is the next day."
      submitLabel={existing ? "Save window" : "Add window"}
      busyLabel="Saving…"
      busy={save.isPending}
      initialFocus={startRef}
      error={failure}
      onSubmit={submit}
      onCancel={onCancel}
      wide
    >
      <fieldset className="field" aria-describedby={dayErrors.length > 0 ? `${daysId}-error` : undefined}>
        <legend className="field__label">Days</legend>
        <div className="weekday-picker">
          {WEEKDAYS.map((day, index) => (
            <label key={day} className="weekday-picker__day">
              <input
                type="checkbox"
                className="checkbox"
                checked={weekdays.includes(index)}
                onChange={(event) => {
                  setWeekdays(event.target.checked ? [...weekdays, index] : weekdays.filter((value) => value !== index));
                }}
              />
              {day}
            </label>
          ))}
        </div>
        {dayErrors.length > 0 && (
          <p id={`${daysId}-error`} className="field__error">
            {dayErrors.join(" ")}
          </p>
        )}
      </fieldset>
      <div className="form-grid">
        <Field id={`${prefix}-start`} label="Start time" errors={errors.start_time} required>
          {(control) => (
            <input
              {...control}
              ref={startRef}
              type="time"
              step={60}
              className="field__input"
              value={startTime}
              onChange={(event) => {
                setStartTime(event.target.value);
              }}
            />
          )}
        </Field>
        <Field id={`${prefix}-end`} label="End time" hint="Before the start: the next day. Equal: 24 hours." errors={errors.end_time} required>
          {(control) => (
            <input
              {...control}
              type="time"
              step={60}
              className="field__input"
              value={endTime}
              onChange={(event) => {
                setEndTime(event.target.value);
              }}
            />
          )}
        </Field>
        <Field id={`${prefix}-zone`} label="Time zone" hint="The times hold across daylight saving changes." errors={errors.time_zone} required>
          {(control) => (
            <select
              {...control}
              className="field__input"
              value={timeZone}
              onChange={(event) => {
                setTimeZone(event.target.value);
              }}
            >
              {zones.map((zone) => (
                <option key={zone} value={zone}>
                  {zone}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id={`${prefix}-starts-on`} label="First day" hint="Optional. Blank: from now on." errors={errors.starts_on}>
          {(control) => (
            <input
              {...control}
              type="date"
              className="field__input"
              value={startsOn}
              onChange={(event) => {
                setStartsOn(event.target.value);
              }}
            />
          )}
        </Field>
        <Field id={`${prefix}-ends-on`} label="Last day" hint="Optional. Blank: no end." errors={errors.ends_on}>
          {(control) => (
            <input
              {...control}
              type="date"
              className="field__input"
              value={endsOn}
              onChange={(event) => {
                setEndsOn(event.target.value);
              }}
            />
          )}
        </Field>
      </div>
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
      <TextAreaField
        id={`${prefix}-comment`}
        label="Comment"
        hint="Why (the others on call read it). Required."
        errors={errors.comment}
        value={comment}
        onChange={setComment}
        rows={3}
        maxLength={2000}
      />
    </FormDialog>
  );
}
