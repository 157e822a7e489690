import { useState } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import type { ApiError } from "../api/client";
import { AlertTable } from "../components/alerts/AlertTable";
import { EvaluationResult } from "../components/alerts/EvaluationResult";
import { RuleSettingFacts, ruleSentence, RuleStatusFacts } from "../components/alerts/RuleFacts";
import { RuleGroups } from "../components/alerts/RuleGroups";
import { RuleVersions } from "../components/alerts/RuleVersions";
import { TriggerAlertDialog } from "../components/alerts/TriggerAlertDialog";
import { ConfirmDialog } from "../components/ui/ConfirmDialog";
import { EmptyState } from "../components/ui/EmptyState";
import { ErrorState } from "../components/ui/ErrorState";
import { LoadingState } from "../components/ui/LoadingState";
import { QueryError } from "../components/ui/QueryError";
import { useAlerts } from "../hooks/alerts/useAlerts";
import { useDeleteRule, useEvaluateRule, useMetricCatalogue, useRule, useSetRuleActive } from "../hooks/alerts/useRules";
import { PERMISSIONS, useCan } from "../hooks/auth/permissions";
import { usePageTitle } from "../hooks/usePageTitle";
import { unitOf } from "../lib/alerting";
import { alertFiltersToParams } from "../api/alertFilters";
import { noticeFrom, warningsFrom } from "../lib/listPages";
import { alertDetailPath, idParam, paths, ruleEditPath } from "../routes/paths";
import type { AlertRule } from "../types/alerts";

interface Outcome {
  kind: "success" | "failure";
  message: string;
}

function RecentAlerts({ rule }: { rule: AlertRule }) {
  const filters = { rule: rule.id, page_size: 10 };
  const alerts = useAlerts(filters);
  const all = `${paths.alerts}?${alertFiltersToParams({ rule: rule.id }).toString()}`;
  let body;
  if (alerts.isPending) body = <LoadingState label="Loading the rule's alerts…" />;
  else if (alerts.isError) {
    body = <QueryError error={alerts.error} what="the rule's alerts" onRetry={() => void alerts.refetch()} />;
  } else if (alerts.data.count === 0) body = <EmptyState title="This rule has not fired yet." />;
  else body = <AlertTable alerts={alerts.data.results} listSearch="" caption={`Alerts of ${rule.name}`} />;
  return (
    <section className="panel" aria-labelledby="rule-alerts-heading">
      <div className="panel__header">
        <h2 id="rule-alerts-heading" className="panel__title">
          Recent alerts
        </h2>
        {alerts.data && alerts.data.count > alerts.data.results.length && (
          <Link to={all} className="panel__link">
            All {alerts.data.count} alerts of this rule
          </Link>
        )}
      </div>
      {body}
    </section>
  );
}

function DeleteQuestion({ rule, busy, onConfirm, onCancel }: { rule: AlertRule; busy: boolean; onConfirm: () => void; onCancel: () => void }) {
  return (
    <ConfirmDialog
      title={`Delete the rule “${rule.name}”?`}
      confirmLabel={busy ? "Deleting…" : "Delete this rule"}
      destructive
      busy={busy}
      onConfirm={onConfirm}
      onCancel={onCancel}
    >
      <p>It stops being evaluated and cannot be brought back.</p>
      <p>
        Its alert history is kept, under the rule's name.
        {rule.open_alert_id !== null
          ? ` Its open alert #${rule.open_alert_id} is resolved, with a note that the rule was deleted, and its channels are told.`
          : " It has no open alert."}
      </p>
    </ConfirmDialog>
  );
}

/** One rule: what it watches, how it stands, its settings, its alerts, and what may be done to it. */
export function RuleDetailPage() {
  const { id: rawId } = useParams();
  const id = idParam(rawId);
  usePageTitle(id ? `Rule #${id}` : "Rule");
  const can = useCan();
  const navigate = useNavigate();
  const location = useLocation();
  const rule = useRule(id);
  const catalogue = useMetricCatalogue();
  const evaluate = useEvaluateRule(id);
  const setActive = useSetRuleActive(id);
  const remove = useDeleteRule(id);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const [triggering, setTriggering] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const handedOver = noticeFrom(location.state);
  const warnings = warningsFrom(location.state);

  const failed = (doing: string) => (error: ApiError) => {
    setOutcome({ kind: "failure", message: `Could not ${doing}: ${error.message}` });
  };

  let body;
  if (!id) {
    body = <ErrorState title="There is no such rule" message={`"${rawId ?? ""}" is not a rule number.`} />;
  } else if (rule.isPending) {
    body = <LoadingState label="Loading the rule…" />;
  } else if (rule.isError) {
    body = <QueryError error={rule.error} what={`rule #${id}`} onRetry={() => void rule.refetch()} />;
  } else {
    const data = rule.data;
    const unit = unitOf(catalogue.data?.metrics, data.metric_name);
    const busy = setActive.isPending || remove.isPending;
    body = (
      <>
        <p className="why-sentence">{ruleSentence(data, unit)}</p>
        {data.description && <p className="muted">{data.description}</p>}
        {data.provisioned && <p className="muted">Provisioned from {data.provisioned}: read-only.</p>}
        <div className="panel__actions" role="group" aria-label="Actions on this rule">
          {can(PERMISSIONS.changeRules) && !data.provisioned && (
            <Link to={ruleEditPath(id)} className="button button--primary">
              Edit
            </Link>
          )}
          <button
            type="button"
            className="button button--secondary"
            aria-busy={evaluate.isPending}
            onClick={() => {
              if (evaluate.isPending) return;
              setOutcome(null);
              evaluate.mutate(undefined, { onError: failed("evaluate the rule") });
            }}
          >
            {evaluate.isPending ? "Evaluating…" : "Evaluate now"}
          </button>
          {can(PERMISSIONS.changeRules) && !data.provisioned && (
            <button
              type="button"
              className="button button--secondary"
              aria-busy={setActive.isPending}
              aria-disabled={busy}
              onClick={() => {
                if (busy) return;
                setOutcome(null);
                setActive.mutate(!data.is_active, {
                  onSuccess: (changed) => {
                    setOutcome({
                      kind: "success",
                      message: changed.is_active
                        ? "Switched on: it is evaluated from the next minute."
                        : `Switched off: it is no longer evaluated${data.open_alert_id !== null ? ", and its open alert was resolved" : ""}.`,
                    });
                  },
                  onError: failed(data.is_active ? "switch the rule off" : "switch the rule on"),
                });
              }}
            >
              {setActive.isPending ? "Saving…" : data.is_active ? "Switch off" : "Switch on"}
            </button>
          )}
          {can(PERMISSIONS.changeRules) && (
            <button
              type="button"
              className="button button--secondary"
              onClick={() => {
                setOutcome(null);
                setTriggering(true);
              }}
            >
              Trigger…
            </button>
          )}
          {can(PERMISSIONS.deleteRules) && !data.provisioned && (
            <button
              type="button"
              className="button button--danger-outline"
              aria-disabled={busy}
              onClick={() => {
                if (!busy) setConfirmingDelete(true);
              }}
            >
              Delete…
            </button>
          )}
        </div>
        <div role="status" className="outcome">
          {outcome?.kind === "success" && <p className="notice notice--success">{outcome.message}</p>}
          {!outcome && handedOver && <p className="notice notice--success">{handedOver}</p>}
          {warnings.map((warning) => (
            <p key={warning} className="notice notice--warning">
              {warning}
            </p>
          ))}
        </div>
        {outcome?.kind === "failure" && (
          <p className="notice notice--error" role="alert">
            {outcome.message}
          </p>
        )}
        {(evaluate.data ?? evaluate.isPending) && (
          <section className="panel" aria-labelledby="evaluation-heading" aria-busy={evaluate.isPending}>
            <h2 id="evaluation-heading">Evaluated now</h2>
            <div aria-live="polite">
              {evaluate.data ? <EvaluationResult evaluation={evaluate.data} unit={unit} /> : <p className="muted">Evaluating…</p>}
            </div>
          </section>
        )}
        <section className="panel" aria-labelledby="rule-status-heading">
          <h2 id="rule-status-heading">Status</h2>
          <RuleStatusFacts rule={data} unit={unit} />
        </section>
        {data.group_by.length > 0 && <RuleGroups rule={data} unit={unit} />}
        <section className="panel" aria-labelledby="rule-settings-heading">
          <h2 id="rule-settings-heading">Settings</h2>
          <RuleSettingFacts rule={data} unit={unit} />
        </section>
        <RecentAlerts rule={data} />
        <RuleVersions rule={data} />
        {confirmingDelete && (
          <DeleteQuestion
            rule={data}
            busy={remove.isPending}
            onCancel={() => {
              setConfirmingDelete(false);
            }}
            onConfirm={() => {
              remove.mutate(undefined, {
                onSuccess: () => {
                  void navigate(paths.rules, {
                    state: { notice: `Deleted the rule “${data.name}”. Its alert history is kept.` },
                  });
                },
                onError: (error) => {
                  setConfirmingDelete(false);
                  failed("delete the rule")(error);
                },
              });
            }}
          />
        )}
        {triggering && (
          <TriggerAlertDialog
            rule={{ id: data.id, name: data.name }}
            onCancel={() => {
              setTriggering(false);
            }}
            onTriggered={(alert) => {
              setTriggering(false);
              void navigate(alertDetailPath(alert.id));
            }}
          />
        )}
      </>
    );
  }

  return (
    <>
      <div className="page-header">
        <p>
          <Link to={paths.rules}>
            <span aria-hidden="true">← </span>Rules
          </Link>
        </p>
        <h1>{rule.data ? rule.data.name : id ? `Rule #${id}` : "Rule"}</h1>
      </div>
      <div className="page-sections">{body}</div>
    </>
  );
}
