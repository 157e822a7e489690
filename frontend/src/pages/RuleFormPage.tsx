import { useEffect, useEffectEvent, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import type { ApiError, FieldErrors } from "../api/client";
import { EvaluationResult } from "../components/alerts/EvaluationResult";
import { RuleForm } from "../components/alerts/RuleForm";
import { RouteTable } from "../components/channels/RouteTable";
import { bodyOf, formErrors, NEW_RULE, valuesOf, type RuleFormValues } from "../components/alerts/ruleForm";
import { ErrorState } from "../components/ui/ErrorState";
import { LoadingState } from "../components/ui/LoadingState";
import { QueryError } from "../components/ui/QueryError";
import { usePreviewRoutes } from "../hooks/alerts/useChannels";
import { useIntegrations } from "../hooks/alerts/useIntegrations";
import { useCreateRule, useEvaluateDraft, useMetricCatalogue, useRule, useUpdateRule } from "../hooks/alerts/useRules";
import { PERMISSIONS, useCan } from "../hooks/auth/permissions";
import { usePageTitle } from "../hooks/usePageTitle";
import { unitOf } from "../lib/alerting";
import { idParam, paths, ruleDetailPath } from "../routes/paths";
import type { AlertRule, Evaluation, MetricCatalogue, RoutePreviewRequest } from "../types/alerts";

/** How long typing must pause before the form's dry run follows it. */
export const LIVE_EVALUATION_DELAY_MS = 600;

interface EditorProps {
  rule: AlertRule | null;
  catalogue: MetricCatalogue;
  slackDefaultChannel: string | undefined;
}

interface Refusal {
  errors: FieldErrors;
  formError: string | null;
}

function refusalOf(error: ApiError, doing: string): Refusal {
  const hasFields = Object.keys(error.fieldErrors).length > 0;
  const formError = error.nonFieldErrors.length > 0 ? error.nonFieldErrors.join(" ") : hasFields ? null : `Could not ${doing}: ${error.message}`;
  return { errors: error.fieldErrors, formError };
}

/**
 * "Where would this go?" for the rule: a saved rule's alert as the rule is saved (its own Slack,
 * email and channels, and the policies); a new rule's by its severity, metric, name and labels
 * (the policies only, until it is saved).
 */
function RoutePreviewPanel({ rule, values }: { rule: AlertRule | null; values: RuleFormValues }) {
  const preview = usePreviewRoutes();
  const ask = () => {
    if (preview.isPending) return;
    const body = bodyOf(values);
    const request: RoutePreviewRequest = rule
      ? { rule_id: rule.id }
      : { severity: body.severity, metric: body.metric_name ?? "", rule: body.name, labels: body.labels };
    preview.mutate(request);
  };
  return (
    <section className="panel" aria-labelledby="route-preview-heading" aria-busy={preview.isPending}>
      <h2 id="route-preview-heading">Where would this go?</h2>
      <p className="muted">
        {rule
          ? "The channels an alert of this rule goes to, as the rule is saved: its own and the notification policies'. Save your edits to see them here."
          : "The notification policies that would take an alert of this rule (its severity, metric, name and labels); the channels chosen above come on top."}
      </p>
      <div>
        <button type="button" className="button button--secondary" aria-busy={preview.isPending} aria-disabled={preview.isPending} onClick={ask}>
          {preview.isPending ? "Working it out…" : "Show where it would go"}
        </button>
      </div>
      <div aria-live="polite">
        {preview.data && <RouteTable preview={preview.data} />}
        {preview.error && (
          <p className="notice notice--error">
            Could not work it out: {Object.values(preview.error.fieldErrors).flat().join(" ") || preview.error.message}
          </p>
        )}
      </div>
    </section>
  );
}

/** The form, what the server said about it, and the last dry run. */
function RuleEditor({ rule, catalogue, slackDefaultChannel }: EditorProps) {
  const navigate = useNavigate();
  const [values, setValues] = useState<RuleFormValues>(rule ? valuesOf(rule) : NEW_RULE);
  const [refusal, setRefusal] = useState<Refusal>({ errors: {}, formError: null });
  const [failures, setFailures] = useState(0);
  const [evaluation, setEvaluation] = useState<Evaluation | null>(null);
  const create = useCreateRule();
  const update = useUpdateRule(rule?.id ?? 0);
  const save = rule ? update : create;
  const evaluate = useEvaluateDraft();
  const canPreview = useCan()(PERMISSIONS.viewPolicies);

  const refused = (error: ApiError, doing: string) => {
    setRefusal(refusalOf(error, doing));
    setFailures((count) => count + 1);
  };

  /** False, with the form's own messages shown, when the fields cannot be sent as they are. */
  const sendable = () => {
    const errors = formErrors(values);
    if (Object.keys(errors).length === 0) return true;
    setRefusal({ errors, formError: null });
    setFailures((count) => count + 1);
    return false;
  };

  const submit = () => {
    setEvaluation(null);
    if (!sendable()) return;
    save.mutate(bodyOf(values), {
      onSuccess: (saved) => {
        void navigate(ruleDetailPath(saved.id), {
          state: {
            notice: rule ? `Saved “${saved.name}”.` : `Created “${saved.name}”. It is evaluated every minute.`,
            warnings: saved.warnings,
          },
        });
      },
      onError: (error) => {
        refused(error, "save the rule");
      },
    });
  };

  // After a first "Evaluate now", the dry run follows the form: each edit is evaluated again once
  // typing pauses (the latest answer wins), so the summary's preview is live.
  const [evaluated, setEvaluated] = useState<RuleFormValues | null>(null);
  const evaluateDraft = (current: RuleFormValues) => {
    setEvaluated(current);
    evaluate.mutate(
      { ...bodyOf(current), rule_id: rule?.id ?? null },
      {
        onSuccess: (result) => {
          setRefusal({ errors: {}, formError: null });
          setEvaluation(result);
        },
        onError: (error) => {
          setEvaluation(null);
          refused(error, "evaluate the rule");
        },
      },
    );
  };

  const dryRun = () => {
    if (!sendable()) {
      setEvaluation(null);
      return;
    }
    evaluateDraft(values);
  };

  const followEdit = useEffectEvent((current: RuleFormValues) => {
    evaluateDraft(current);
  });
  const following = evaluated !== null;
  useEffect(() => {
    if (!following || evaluated === values || Object.keys(formErrors(values)).length > 0) return;
    const timer = window.setTimeout(() => {
      followEdit(values);
    }, LIVE_EVALUATION_DELAY_MS);
    return () => {
      window.clearTimeout(timer);
    };
  }, [values, evaluated, following]);

  return (
    <>
      <RuleForm
        values={values}
        onChange={setValues}
        catalogue={catalogue}
        errors={refusal.errors}
        formError={refusal.formError}
        failures={failures}
        slackDefaultChannel={slackDefaultChannel}
        submitLabel={rule ? "Save changes" : "Create rule"}
        saving={save.isPending}
        evaluating={evaluate.isPending}
        cancelTo={rule ? ruleDetailPath(rule.id) : paths.rules}
        onSubmit={submit}
        onEvaluate={dryRun}
        provisioned={rule?.provisioned ?? null}
      />
      <section className="panel" aria-labelledby="dry-run-heading" aria-busy={evaluate.isPending}>
        <h2 id="dry-run-heading">Evaluate now</h2>
        <div aria-live="polite">
          {evaluation ? (
            <EvaluationResult evaluation={evaluation} unit={unitOf(catalogue.metrics, evaluation.metric_name)} />
          ) : (
            <p className="muted">
              {evaluate.isPending
                ? "Evaluating…"
                : "“Evaluate now” computes the rule as it stands in the form, on the data of now, and says whether it would fire; after that it follows your edits. Nothing is saved."}
            </p>
          )}
        </div>
      </section>
      {canPreview && <RoutePreviewPanel rule={rule} values={values} />}
    </>
  );
}

/** Create a rule (`/rules/new`) or change one (`/rules/<id>/edit`). */
export function RuleFormPage() {
  const { id: rawId } = useParams();
  const editing = rawId !== undefined;
  const id = idParam(rawId);
  usePageTitle(editing ? `Edit rule #${id}` : "New rule");
  const can = useCan();
  const allowed = can(editing ? PERMISSIONS.changeRules : PERMISSIONS.addRules);
  const rule = useRule(editing ? id : 0);
  const catalogue = useMetricCatalogue();
  const integrations = useIntegrations();

  let body;
  if (!allowed) {
    body = (
      <ErrorState
        title={editing ? "You do not have permission to change rules" : "You do not have permission to create rules"}
        message="An administrator can add you to the “Alert managers” group."
      />
    );
  } else if (editing && !id) {
    body = <ErrorState title="There is no such rule" message={`"${rawId}" is not a rule number.`} />;
  } else if (catalogue.isPending || (editing && rule.isPending)) {
    body = <LoadingState label="Loading the metrics and the rule…" />;
  } else if (catalogue.isError) {
    body = <QueryError error={catalogue.error} what="the metric catalogue" onRetry={() => void catalogue.refetch()} />;
  } else if (editing && rule.isError) {
    body = <QueryError error={rule.error} what={`rule #${id}`} onRetry={() => void rule.refetch()} />;
  } else {
    body = (
      <RuleEditor
        key={rule.data?.id ?? "new"}
        rule={editing ? (rule.data ?? null) : null}
        catalogue={catalogue.data}
        slackDefaultChannel={integrations.data?.slack_default_channel}
      />
    );
  }

  return (
    <>
      <div className="page-header">
        <p>
          <Link to={editing && id ? ruleDetailPath(id) : paths.rules}>
            <span aria-hidden="true">← </span>
            {editing && rule.data ? rule.data.name : "Rules"}
          </Link>
        </p>
        <h1>{editing ? `Edit rule${rule.data ? `: ${rule.data.name}` : ""}` : "New rule"}</h1>
      </div>
      <div className="page-sections">{body}</div>
    </>
  );
}
