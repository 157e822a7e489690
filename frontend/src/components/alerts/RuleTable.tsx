import { useId } from "react";
import { Link } from "react-router";
import { formatMaybe, formatThreshold, unitOf } from "../../lib/alerting";
import { formatDateTime } from "../../lib/format";
import { alertDetailPath, ruleDetailPath } from "../../routes/paths";
import type { AlertRule } from "../../types/alerts";
import type { MetricInfo } from "../../types/monitoring";
import { ActiveBadge, FlappingBadge, RuleStateBadge, SeverityBadge } from "../ui/Badges";
import { LabelChips } from "../ui/LabelChips";
import { ruleStateNote } from "./ruleText";

interface RuleTableProps {
  rules: readonly AlertRule[];
  metrics?: readonly MetricInfo[] | undefined;
  busy?: boolean;
}

/** The rules with what each watches and how it stood at its last evaluation. */
export function RuleTable({ rules, metrics, busy = false }: RuleTableProps) {
  const captionId = useId();
  return (
    <div className="table-scroll" role="region" aria-labelledby={captionId} tabIndex={0}>
      <table className={`table${busy ? " is-busy" : ""}`} aria-busy={busy}>
        <caption id={captionId} className="visually-hidden">
          Alert rules
        </caption>
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Condition</th>
            <th scope="col">Severity</th>
            <th scope="col">State</th>
            <th scope="col" className="numeric">
              Last value
            </th>
            <th scope="col">Last evaluated</th>
            <th scope="col">Active</th>
          </tr>
        </thead>
        <tbody>
          {rules.map((rule) => {
            const unit = unitOf(metrics, rule.metric_name);
            return (
              <tr key={rule.id}>
                <th scope="row" className="message-cell">
                  <Link to={ruleDetailPath(rule.id)} className="message-cell__link">
                    {rule.name}
                  </Link>
                  <span className="message-cell__meta">
                    <code>{rule.metric_name}</code>
                    {rule.group_by.length > 0 && ` · per ${rule.group_by.join(", ")}`}
                  </span>
                  <LabelChips labels={rule.labels} label={`Labels of ${rule.name}`} />
                </th>
                <td className="nowrap">
                  {formatThreshold(rule.condition, rule.threshold_value, unit)}
                  <span className="message-cell__meta">
                    {rule.effective_aggregation} over {rule.time_window_minutes} min
                  </span>
                </td>
                <td>
                  <SeverityBadge severity={rule.severity} />
                </td>
                <td>
                  <RuleStateBadge state={rule.state} evaluatedAt={rule.last_evaluated_at} />
                  {rule.flapping_since && (
                    <>
                      {" "}
                      <FlappingBadge />
                    </>
                  )}
                  {rule.open_alert_id !== null && (
                    <span className="message-cell__meta">
                      <Link to={alertDetailPath(rule.open_alert_id)}>open alert #{rule.open_alert_id}</Link>
                    </span>
                  )}
                  {ruleStateNote(rule) && <span className="message-cell__meta">{ruleStateNote(rule)}</span>}
                </td>
                <td className="numeric">{rule.last_evaluated_at ? formatMaybe(rule.last_value, unit) : "—"}</td>
                <td className="nowrap">
                  {rule.last_evaluated_at ? (
                    <time dateTime={rule.last_evaluated_at}>{formatDateTime(rule.last_evaluated_at)}</time>
                  ) : (
                    <span className="muted">not yet</span>
                  )}
                </td>
                <td>
                  <ActiveBadge active={rule.is_active} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
