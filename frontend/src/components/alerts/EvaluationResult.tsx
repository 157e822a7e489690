import { Link } from "react-router";
import { formatMaybe, formatThreshold, RULE_STATE_LABELS, worstFirst } from "../../lib/alerting";
import { formatDateTime, formatValue } from "../../lib/format";
import { alertDetailPath } from "../../routes/paths";
import type { Evaluation } from "../../types/alerts";
import { RuleStateBadge } from "../ui/Badges";
import { LabelChips, labelsText } from "../ui/LabelChips";
import { PointsChart } from "./PointsChart";
import { ACTION_TEXT, CONDITION_WORDS } from "./ruleText";

interface EvaluationResultProps {
  evaluation: Evaluation;
  unit: string;
}

function verdict(evaluation: Evaluation, unit: string): string {
  const promql = evaluation.kind === "promql";
  if (evaluation.error) return `The ${promql ? "query" : "metric"} could not be evaluated: ${evaluation.error}`;
  if (evaluation.value === null) {
    return promql ? "The query returned no series: nothing breaches." : `No data in the last ${evaluation.window_minutes} min.`;
  }
  const value = formatValue(evaluation.value, unit);
  const threshold = formatValue(evaluation.threshold_value, unit);
  return evaluation.condition_met
    ? `${value} is ${CONDITION_WORDS[evaluation.condition]} ${threshold}: the condition holds.`
    : `${value} is not ${CONDITION_WORDS[evaluation.condition]} ${threshold}: within the threshold.`;
}

/** A grouped rule's groups in a dry run, worst first: each one's value, state and what would happen. */
function GroupResults({ evaluation, unit }: EvaluationResultProps) {
  const groups = worstFirst(evaluation.groups);
  const summaries = groups.some((group) => group.summary);
  return (
    <div className="table-scroll" role="region" aria-label="Groups evaluated now" tabIndex={0}>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Group</th>
            <th scope="col" className="numeric">
              Value now
            </th>
            <th scope="col">State it would have</th>
            <th scope="col">What would happen</th>
            {summaries && <th scope="col">Summary preview</th>}
          </tr>
        </thead>
        <tbody>
          {groups.map((group) => (
            <tr key={group.fingerprint}>
              <th scope="row">
                <LabelChips labels={group.labels} label={`Group ${labelsText(group.labels)}`} />
              </th>
              <td className="numeric">{formatMaybe(group.value, unit)}</td>
              <td>
                <RuleStateBadge state={group.state} evaluatedAt={evaluation.evaluated_at} />
                {group.current_state && group.current_state !== group.state && (
                  <span className="message-cell__meta">now {RULE_STATE_LABELS[group.current_state]}</span>
                )}
              </td>
              <td>
                {ACTION_TEXT[group.action]}
                {(group.reason || group.error) && <span className="message-cell__meta">{group.error || group.reason}</span>}
                {group.open_alert_id !== null && (
                  <span className="message-cell__meta">
                    open alert <Link to={alertDetailPath(group.open_alert_id)}>#{group.open_alert_id}</Link>
                  </span>
                )}
              </td>
              {summaries && <td className="evaluation__summary">{group.summary}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** What a dry run found: the value now, against the threshold, and what the engine would do. */
export function EvaluationResult({ evaluation, unit }: EvaluationResultProps) {
  const fires = evaluation.action === "fire";
  return (
    <div className={`evaluation evaluation--${fires ? "fires" : evaluation.condition_met ? "holds" : "calm"}`}>
      <p className="evaluation__verdict">{verdict(evaluation, unit)}</p>
      <p className="evaluation__action">
        <strong>{ACTION_TEXT[evaluation.action]}</strong>
        {evaluation.reason && ` (${evaluation.reason})`}
      </p>
      {evaluation.summary && (
        <p className="evaluation__summary">
          <strong>Summary preview:</strong> {evaluation.summary}
        </p>
      )}
      <dl className="facts facts--grid">
        <div>
          <dt>Value now</dt>
          <dd>{formatMaybe(evaluation.value, unit)}</dd>
        </div>
        <div>
          <dt>Threshold</dt>
          <dd>{formatThreshold(evaluation.condition, evaluation.threshold_value, unit)}</dd>
        </div>
        <div>
          <dt>Window</dt>
          <dd>
            {evaluation.window_minutes} min, {evaluation.aggregation}
          </dd>
        </div>
        <div>
          <dt>State it would have</dt>
          <dd>
            {RULE_STATE_LABELS[evaluation.state]}
            {evaluation.current_state && evaluation.current_state !== evaluation.state && (
              <span className="facts__note">now {RULE_STATE_LABELS[evaluation.current_state]}</span>
            )}
          </dd>
        </div>
        {evaluation.open_alert_id !== null && (
          <div>
            <dt>Open alert</dt>
            <dd>
              <Link to={alertDetailPath(evaluation.open_alert_id)}>#{evaluation.open_alert_id}</Link>
            </dd>
          </div>
        )}
        <div>
          <dt>Evaluated</dt>
          <dd>
            <time dateTime={evaluation.evaluated_at}>{formatDateTime(evaluation.evaluated_at)}</time>
          </dd>
        </div>
      </dl>
      {evaluation.groups.length > 0 && <GroupResults evaluation={evaluation} unit={unit} />}
      {evaluation.points.length > 0 && (
        <PointsChart
          title={
            evaluation.kind === "promql"
              ? `${evaluation.query}: the worst series over the last hour`
              : `${evaluation.metric_name} in the window (${evaluation.source})`
          }
          points={evaluation.points.map((point) => ({ t: Date.parse(point.t), v: point.v }))}
          unit={unit}
          threshold={evaluation.threshold_value}
          resolveThreshold={evaluation.resolve_threshold}
        />
      )}
      <p className="muted">A dry run: nothing was saved or sent.</p>
    </div>
  );
}
