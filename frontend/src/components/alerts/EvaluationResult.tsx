import { Link } from "react-router";
import { formatMaybe, formatThreshold, RULE_STATE_LABELS } from "../../lib/alerting";
import { formatDateTime, formatValue } from "../../lib/format";
import { alertDetailPath } from "../../routes/paths";
import type { Evaluation } from "../../types/alerts";
import { PointsChart } from "./PointsChart";
import { ACTION_TEXT, CONDITION_WORDS } from "./ruleText";

interface EvaluationResultProps {
  evaluation: Evaluation;
  unit: string;
}

function verdict(evaluation: Evaluation, unit: string): string {
  if (evaluation.error) return `The metric could not be evaluated: ${evaluation.error}`;
  if (evaluation.value === null) return `No data in the last ${evaluation.window_minutes} min.`;
  const value = formatValue(evaluation.value, unit);
  const threshold = formatValue(evaluation.threshold_value, unit);
  return evaluation.condition_met
    ? `${value} is ${CONDITION_WORDS[evaluation.condition]} ${threshold}: the condition holds.`
    : `${value} is not ${CONDITION_WORDS[evaluation.condition]} ${threshold}: within the threshold.`;
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
      {evaluation.points.length > 0 && (
        <PointsChart
          title={`${evaluation.metric_name} in the window (${evaluation.source})`}
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
