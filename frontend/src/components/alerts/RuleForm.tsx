import { useEffect, useId, useRef, useState, type ReactNode, type SubmitEvent } from "react";
import { Link } from "react-router";
import type { FieldErrors } from "../../api/client";
import { CONDITION_SYMBOLS } from "../../lib/alerting";
import { METRIC_NAME_PATTERN, type MetricCatalogue } from "../../types/alerts";
import type { MetricReading } from "../../types/monitoring";
import { PERMISSIONS, useCan } from "../../hooks/auth/permissions";
import { useMetricLabels } from "../../hooks/useMetricLabels";
import { useDataSources } from "../../hooks/useDataSources";
import { useChannels } from "../../hooks/alerts/useChannels";
import { ChannelPicker } from "../channels/ChannelPicker";
import { CheckboxField, Field } from "../ui/Field";
import { GroupByPicker, LabelPairsEditor, MatchersEditor } from "./LabelFields";
import { MetricPicker } from "./MetricPicker";
import { errorsUnder, fieldPathLabel, type RuleFormValues } from "./ruleForm";

/** The variables a summary template may use (the API's list, in its help text too). */
const SUMMARY_VARIABLES = "value, threshold, condition, window, aggregation, metric, rule, severity, labels";

interface RuleFormProps {
  values: RuleFormValues;
  onChange: (values: RuleFormValues) => void;
  catalogue: MetricCatalogue;
  /** The server's messages per field, from the last save or dry run. */
  errors: FieldErrors;
  /** Messages about the rule as a whole, or a failure that is not about a field. */
  formError: string | null;
  /** Changes each time the server refuses the fields: the focus then goes to the first one. */
  failures: number;
  slackDefaultChannel: string | undefined;
  submitLabel: string;
  saving: boolean;
  evaluating: boolean;
  cancelTo: string;
  onSubmit: () => void;
  onEvaluate: () => void;
  /** The provisioning file the rule comes from: then it is changed there, not here. */
  provisioned?: string | null;
}

/**
 * What the metric field says under it: the chosen metric's meaning, unit and default aggregation;
 * for a name the catalogue does not list, that it has no samples yet (the rule reads no data until
 * the first arrives) or, when it cannot be a metric's name, what a name may be.
 */
function metricHint(name: string, metric: MetricReading | undefined): string | undefined {
  if (metric) {
    const now = metric.no_data ? " No data at the moment." : "";
    return `${metric.description} Unit: ${metric.unit || "none"}; default aggregation: ${metric.default_aggregation}.${now}`;
  }
  if (!name) return undefined;
  if (!METRIC_NAME_PATTERN.test(name)) {
    return "A custom metric's name is lowercase letters, digits and _, starting with a letter, at most 64 characters.";
  }
  return `No samples of ${name} yet: the rule reads no data until the first arrives.`;
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="form-section">
      <legend className="form-section__title">{title}</legend>
      <div className="form-grid">{children}</div>
    </fieldset>
  );
}

/** The id of the control an error's path is about, for the summary's link (see LabelFields). */
function anchorOf(path: string, prefix: string, values: RuleFormValues): string {
  const [field = "", index, part] = path.split(".");
  if (field === "label_matchers" && index !== undefined && /^\d+$/.test(index)) {
    return `${prefix}-label_matchers-${index}-${part === "op" || part === "value" ? part : "label"}`;
  }
  if (field === "labels" && index !== undefined) {
    const key = path.slice("labels.".length);
    const row = values.labels.findIndex((label) => label.name.trim() === key);
    if (row >= 0) return `${prefix}-labels-${row}-name`;
  }
  return `${prefix}-${field}`;
}

function ErrorSummary({
  errors,
  formError,
  prefix,
  values,
}: {
  errors: FieldErrors;
  formError: string | null;
  prefix: string;
  values: RuleFormValues;
}) {
  const fields = Object.keys(errors);
  if (fields.length === 0 && !formError) return null;
  return (
    <div className="notice notice--error error-summary" role="alert" tabIndex={-1}>
      {formError && <p>{formError}</p>}
      {fields.length > 0 && (
        <>
          <p>
            {fields.length === 1 ? "One field needs" : `${fields.length} fields need`} attention:
          </p>
          <ul>
            {fields.map((name) => {
              const label = fieldPathLabel(name);
              return (
                <li key={name}>
                  {label ? <a href={`#${anchorOf(name, prefix, values)}`}>{label}</a> : <span>{name}</span>}:{" "}
                  {errors[name]?.join(" ")}
                </li>
              );
            })}
          </ul>
        </>
      )}
    </div>
  );
}

/**
 * Every field of a rule, in three groups: what to watch, whom to tell, how to behave. The server
 * judges the fields (on save, and on "Evaluate now"); its messages appear beside each field and in
 * a summary, and the focus goes to the first field it refused.
 */
export function RuleForm({
  values,
  onChange,
  catalogue,
  errors,
  formError,
  failures,
  slackDefaultChannel,
  submitLabel,
  saving,
  evaluating,
  cancelTo,
  onSubmit,
  onEvaluate,
  provisioned = null,
}: RuleFormProps) {
  const prefix = useId().replace(/:/g, "");
  const formRef = useRef<HTMLFormElement>(null);
  const fieldId = (name: keyof RuleFormValues) => `${prefix}-${name}`;
  const set = <K extends keyof RuleFormValues>(name: K, value: RuleFormValues[K]) => {
    onChange({ ...values, [name]: value });
  };
  const text = (name: keyof RuleFormValues) => (event: { target: { value: string } }) => {
    onChange({ ...values, [name]: event.target.value });
  };
  const metric = catalogue.metrics.find((candidate) => candidate.name === values.metric_name);
  const busy = saving || evaluating;
  const readOnly = provisioned !== null;
  // The advanced fields are folded until opened, or until the server refuses one of them; once open
  // they stay open.
  const [advancedOpen, setAdvancedOpen] = useState(false);
  const showAdvanced = advancedOpen || errors.flap_threshold !== undefined || errors.flap_window_minutes !== undefined;
  const can = useCan();
  // A metric the catalogue lists has samples, so perhaps labels; one it does not list has none yet.
  const promql = values.kind === "promql";
  const labels = useMetricLabels(values.metric_name, {
    enabled: !promql && metric !== undefined && can(PERMISSIONS.viewMetrics),
  });
  const known = labels.data?.labels;
  const sources = useDataSources({ enabled: promql });
  const channels = useChannels({ enabled: can(PERMISSIONS.viewChannels) });
  // The default Slack and email channels are the two switches above; a rule names them there.
  const extraChannels = (channels.data?.results ?? []).filter(
    (channel) => channel.builtin === "" || values.channels.includes(channel.id),
  );

  useEffect(() => {
    if (failures === 0) return;
    const first = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"], [data-invalid="true"]');
    (first ?? formRef.current?.querySelector<HTMLElement>(".error-summary"))?.focus();
  }, [failures]);

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!busy && !readOnly) onSubmit();
  };

  return (
    <form ref={formRef} className="rule-form" onSubmit={submit} noValidate aria-label="Alert rule">
      {readOnly && (
        <p className="muted" role="status">
          Provisioned from {provisioned}: read-only. Change the file, and provisioning applies it.
        </p>
      )}
      <ErrorSummary errors={errors} formError={formError} prefix={prefix} values={values} />
      <Section title="What to watch">
        <Field id={fieldId("name")} label="Name" errors={errors.name} className="form-grid__wide">
          {(control) => (
            <input {...control} className="field__input" value={values.name} onChange={text("name")} maxLength={200} />
          )}
        </Field>
        <Field
          id={fieldId("description")}
          label="Description"
          hint="Optional: what it means when this fires, and what to do."
          errors={errors.description}
          className="form-grid__wide"
        >
          {(control) => (
            <textarea {...control} className="field__input" rows={2} value={values.description} onChange={text("description")} />
          )}
        </Field>
        <Field
          id={fieldId("kind")}
          label="Kind"
          hint={promql ? "A PromQL expression, evaluated by a Prometheus-compatible data source at each tick: each series it returns is a group." : undefined}
          errors={errors.kind}
        >
          {(control) => (
            <select
              {...control}
              className="field__input"
              value={values.kind}
              onChange={(event) => {
                set("kind", event.target.value === "promql" ? "promql" : "metric");
              }}
            >
              <option value="metric">Metric of this system</option>
              <option value="promql">PromQL (data source)</option>
            </select>
          )}
        </Field>
        {promql && (
          <Field
            id={fieldId("data_source")}
            label="Data source"
            hint={sources.data?.results.length === 0 ? "No data source yet: add one through the API (/api/monitoring/data-sources/)." : undefined}
            errors={errors.data_source}
          >
            {(control) => (
              <select {...control} className="field__input" value={values.data_source} onChange={text("data_source")}>
                <option value="">Choose…</option>
                {(sources.data?.results ?? []).map((source) => (
                  <option key={source.id} value={String(source.id)}>
                    {source.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        {promql && (
          <Field
            id={fieldId("expr")}
            label="Expression"
            hint="E.g. sum by (queue) (my_queue_depth). With the comparison in the expression (my_queue_depth > 100) only breaching series return: give the rule the same condition. A series no longer returned is back to normal."
            errors={errors.expr}
            className="form-grid__wide"
          >
            {(control) => (
              <textarea {...control} className="field__input" rows={3} value={values.expr} onChange={text("expr")} maxLength={4000} spellCheck={false} />
            )}
          </Field>
        )}
        {!promql && (
        <Field
          id={fieldId("metric_name")}
          label="Metric"
          hint={metricHint(values.metric_name, metric)}
          errors={errors.metric_name}
          className="form-grid__wide"
        >
          {(control) => (
            <MetricPicker
              control={control}
              value={values.metric_name}
              metrics={catalogue.metrics}
              windowMinutes={catalogue.window_minutes}
              onChange={(name) => {
                set("metric_name", name);
              }}
            />
          )}
        </Field>
        )}
        <Field id={fieldId("condition")} label="Condition" errors={errors.condition}>
          {(control) => (
            <select
              {...control}
              className="field__input"
              value={values.condition}
              onChange={(event) => {
                const choice = catalogue.conditions.find((condition) => condition.value === event.target.value);
                if (choice) set("condition", choice.value);
              }}
            >
              {catalogue.conditions.map((condition) => (
                <option key={condition.value} value={condition.value}>
                  {CONDITION_SYMBOLS[condition.value]} {condition.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          id={fieldId("threshold_value")}
          label="Threshold"
          hint={metric?.unit ? `In ${metric.unit}.` : undefined}
          errors={errors.threshold_value}
        >
          {(control) => (
            <input {...control} className="field__input" inputMode="decimal" value={values.threshold_value} onChange={text("threshold_value")} />
          )}
        </Field>
{!promql && (
        <Field id={fieldId("time_window_minutes")} label="Window (minutes)" hint="1 to 60." errors={errors.time_window_minutes}>
          {(control) => (
            <input {...control} className="field__input" inputMode="numeric" value={values.time_window_minutes} onChange={text("time_window_minutes")} />
          )}
        </Field>
)}
{!promql && (
        <Field id={fieldId("aggregation")} label="Aggregation" errors={errors.aggregation}>
          {(control) => (
            <select
              {...control}
              className="field__input"
              value={values.aggregation}
              onChange={(event) => {
                const choice = catalogue.aggregations.find((aggregation) => aggregation === event.target.value);
                set("aggregation", choice ?? "");
              }}
            >
              <option value="">The metric's default{metric ? ` (${metric.default_aggregation})` : ""}</option>
              {catalogue.aggregations.map((aggregation) => (
                <option key={aggregation} value={aggregation}>
                  {aggregation}
                </option>
              ))}
            </select>
          )}
        </Field>
)}
        <Field id={fieldId("severity")} label="Severity" errors={errors.severity}>
          {(control) => (
            <select
              {...control}
              className="field__input"
              value={values.severity}
              onChange={(event) => {
                const choice = catalogue.severities.find((severity) => severity.value === event.target.value);
                if (choice) set("severity", choice.value);
              }}
            >
              {catalogue.severities.map((severity) => (
                <option key={severity.value} value={severity.value}>
                  {severity.label}
                </option>
              ))}
            </select>
          )}
        </Field>
{!promql && (
        <MatchersEditor
          id={fieldId("label_matchers")}
          matchers={values.label_matchers}
          onChange={(matchers) => {
            set("label_matchers", matchers);
          }}
          known={known}
          truncated={labels.data?.truncated ?? []}
          errors={errors}
        />
)}
{!promql && (
        <GroupByPicker
          id={fieldId("group_by")}
          value={values.group_by}
          onChange={(names) => {
            set("group_by", names);
          }}
          known={known}
          errors={errorsUnder(errors, "group_by")}
        />
)}
        <Field
          id={fieldId("max_series_per_rule")}
          label="At most groups"
          hint="1 to 1,000 (grouped rules): past it the rule is in error, saying how many groups it found."
          errors={errors.max_series_per_rule}
        >
          {(control) => (
            <input {...control} className="field__input" inputMode="numeric" value={values.max_series_per_rule} onChange={text("max_series_per_rule")} />
          )}
        </Field>
      </Section>

      <Section title="What the alert says">
        <Field
          id={fieldId("summary")}
          label="Summary"
          hint={`Optional: a template rendered for each alert, in Slack, email and here, e.g. {{ labels.route }} at {{ value|round(1) }} %. Variables: ${SUMMARY_VARIABLES}. “Evaluate now” previews it on the data of now, and again as you edit.`}
          errors={errors.summary}
          className="form-grid__wide"
        >
          {(control) => (
            <textarea {...control} className="field__input" rows={2} value={values.summary} onChange={text("summary")} spellCheck={false} />
          )}
        </Field>
        <Field
          id={fieldId("runbook_url")}
          label="Runbook URL"
          hint="Optional: an http(s) link to what to do, shown with every alert."
          errors={errors.runbook_url}
          className="form-grid__wide"
        >
          {(control) => (
            <input {...control} className="field__input" inputMode="url" value={values.runbook_url} onChange={text("runbook_url")} placeholder="https://" />
          )}
        </Field>
        <LabelPairsEditor
          id={fieldId("labels")}
          rows={values.labels}
          onChange={(rows) => {
            set("labels", rows);
          }}
          errors={errors}
        />
      </Section>

      <Section title="Whom to tell">
        <CheckboxField
          id={fieldId("slack_enabled")}
          label="Notify Slack"
          checked={values.slack_enabled}
          onChange={(checked) => {
            set("slack_enabled", checked);
          }}
          errors={errors.slack_enabled}
        />
        <Field
          id={fieldId("slack_channel")}
          label="Slack channel"
          hint={`#channel or @user; blank: ${slackDefaultChannel ?? "the default channel"}.`}
          errors={errors.slack_channel}
        >
          {(control) => (
            <input {...control} className="field__input" value={values.slack_channel} onChange={text("slack_channel")} placeholder={slackDefaultChannel} />
          )}
        </Field>
        <CheckboxField
          id={fieldId("email_enabled")}
          label="Send email"
          checked={values.email_enabled}
          onChange={(checked) => {
            set("email_enabled", checked);
          }}
          errors={errors.email_enabled}
        />
        <Field
          id={fieldId("email_recipients")}
          label="Email recipients"
          hint="Addresses separated by commas."
          errors={errors.email_recipients}
        >
          {(control) => (
            <textarea {...control} className="field__input" rows={2} value={values.email_recipients} onChange={text("email_recipients")} />
          )}
        </Field>
        <ChannelPicker
          id={fieldId("channels")}
          legend="Other channels"
          hint="Channels added on the Integrations page, each to its own target, besides Slack and email; the notification policies may add more."
          channels={extraChannels}
          value={values.channels}
          onChange={(ids) => {
            set("channels", ids);
          }}
          errors={errorsUnder(errors, "channels")}
        />
      </Section>

      <Section title="How it behaves">
        <Field
          id={fieldId("for_minutes")}
          label="Pending for (minutes)"
          hint="0 to 60: the condition must hold on every tick this long before it fires; meanwhile it is pending, not notified. 0: at once."
          errors={errors.for_minutes}
        >
          {(control) => (
            <input {...control} className="field__input" inputMode="numeric" value={values.for_minutes} onChange={text("for_minutes")} />
          )}
        </Field>
        <Field
          id={fieldId("cooldown_minutes")}
          label="Reminder every (minutes)"
          hint="While the alert stays open; 0: never remind."
          errors={errors.cooldown_minutes}
        >
          {(control) => (
            <input {...control} className="field__input" inputMode="numeric" value={values.cooldown_minutes} onChange={text("cooldown_minutes")} />
          )}
        </Field>
        <Field
          id={fieldId("max_alerts_per_hour")}
          label="At most alerts per hour"
          hint="Holds back a flapping rule."
          errors={errors.max_alerts_per_hour}
        >
          {(control) => (
            <input {...control} className="field__input" inputMode="numeric" value={values.max_alerts_per_hour} onChange={text("max_alerts_per_hour")} />
          )}
        </Field>
        <Field
          id={fieldId("resolve_threshold")}
          label="Resolve threshold"
          hint="Optional: resolve only once the value is back past this (above-rules: below it)."
          errors={errors.resolve_threshold}
        >
          {(control) => (
            <input {...control} className="field__input" inputMode="decimal" value={values.resolve_threshold} onChange={text("resolve_threshold")} />
          )}
        </Field>
        <details
          className="form-grid__wide form-advanced"
          open={showAdvanced}
          onToggle={(event) => {
            setAdvancedOpen(event.currentTarget.open);
          }}
        >
          <summary>Advanced: flapping</summary>
          <div className="form-grid">
            <Field
              id={fieldId("flap_threshold")}
              label="Flapping after (opens and resolves)"
              hint="2 to 100 changes within the flap window make the rule flapping: one message says so, and further changes are not notified until it has been stable for the window. 0: never."
              errors={errors.flap_threshold}
            >
              {(control) => (
                <input {...control} className="field__input" inputMode="numeric" value={values.flap_threshold} onChange={text("flap_threshold")} />
              )}
            </Field>
            <Field
              id={fieldId("flap_window_minutes")}
              label="Flapping counted over (minutes)"
              hint="The window the changes are counted in, and how long a flapping rule must be stable to be quiet no more."
              errors={errors.flap_window_minutes}
            >
              {(control) => (
                <input {...control} className="field__input" inputMode="numeric" value={values.flap_window_minutes} onChange={text("flap_window_minutes")} />
              )}
            </Field>
          </div>
        </details>
        <div className="form-grid__checks">
          <CheckboxField
            id={fieldId("auto_resolve")}
            label="Resolve automatically when back to normal"
            checked={values.auto_resolve}
            onChange={(checked) => {
              set("auto_resolve", checked);
            }}
            errors={errors.auto_resolve}
          />
          <CheckboxField
            id={fieldId("notify_on_resolve")}
            label="Tell the channels when resolved"
            checked={values.notify_on_resolve}
            onChange={(checked) => {
              set("notify_on_resolve", checked);
            }}
            errors={errors.notify_on_resolve}
          />
          <CheckboxField
            id={fieldId("alert_on_no_data")}
            label="Alert when there is no data"
            checked={values.alert_on_no_data}
            onChange={(checked) => {
              set("alert_on_no_data", checked);
            }}
            errors={errors.alert_on_no_data}
          />
          <CheckboxField
            id={fieldId("is_active")}
            label="Active (evaluated every minute)"
            checked={values.is_active}
            onChange={(checked) => {
              set("is_active", checked);
            }}
            errors={errors.is_active}
          />
        </div>
      </Section>

      <div className="form-actions">
        <button
          type="submit"
          className="button button--primary"
          aria-busy={saving}
          aria-disabled={busy || readOnly}
          disabled={readOnly}
        >
          {saving ? "Saving…" : submitLabel}
        </button>
        <button
          type="button"
          className="button button--secondary"
          aria-busy={evaluating}
          aria-disabled={busy}
          onClick={() => {
            if (!busy) onEvaluate();
          }}
        >
          {evaluating ? "Evaluating…" : "Evaluate now"}
        </button>
        <Link to={cancelTo} className="button button--secondary">
          Cancel
        </Link>
      </div>
    </form>
  );
}
