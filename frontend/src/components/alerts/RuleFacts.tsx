import { Link } from "react-router";
import { formatMaybe, formatThreshold } from "../../lib/alerting";
import { formatDateTime, formatValue } from "../../lib/format";
import { plural } from "../../lib/text";
import { alertDetailPath } from "../../routes/paths";
import type { AlertRule } from "../../types/alerts";
import { ActiveBadge, FlappingBadge, RuleStateBadge, SeverityBadge } from "../ui/Badges";
import { LabelChips } from "../ui/LabelChips";
import { RunbookLink } from "../ui/RunbookLink";
import { CONDITION_WORDS, ruleStateNote } from "./ruleText";
import { Fact } from "../ui/Fact";

function Time({ iso }: { iso: string | null }) {
  return iso ? <time dateTime={iso}>{formatDateTime(iso)}</time> : <span className="muted">never</span>;
}

function yesNo(value: boolean): string {
  return value ? "Yes" : "No";
}

/** A rule in one sentence: "Fires when cpu_usage (avg over 5 min) is above 80%." */
export function ruleSentence(rule: AlertRule, unit: string): string {
  const what = `${rule.metric_name} (${rule.effective_aggregation} over ${rule.time_window_minutes} min)`;
  const condition = `${CONDITION_WORDS[rule.condition]} ${formatValue(rule.threshold_value, unit)}`;
  const held = rule.for_minutes > 0 ? ` for ${rule.for_minutes} min` : "";
  if (rule.group_by.length > 0) {
    return `Fires for each ${rule.group_by.join(" and ")} whose ${what} is ${condition}${held}, one alert each.`;
  }
  return `Fires when ${what} is ${condition}${held}.`;
}

export function RuleStatusFacts({ rule, unit }: { rule: AlertRule; unit: string }) {
  const note = ruleStateNote(rule);
  return (
    <dl className="facts facts--grid">
      <Fact term="State">
        <RuleStateBadge state={rule.state} evaluatedAt={rule.last_evaluated_at} />
        {rule.flapping_since && (
          <span className="facts__note">
            <FlappingBadge /> since <Time iso={rule.flapping_since} />: its opens and resolves are not notified until it is
            stable for {rule.flap_window_minutes} min.
          </span>
        )}
        {rule.state_changed_at && (
          <span className="facts__note">
            since <Time iso={rule.state_changed_at} />
          </span>
        )}
        {/* The error has a fact of its own below. */}
        {note && note !== rule.last_error && <span className="facts__note">{note}</span>}
      </Fact>
      <Fact term="Last value">{rule.last_evaluated_at ? formatMaybe(rule.last_value, unit) : "—"}</Fact>
      <Fact term="Last evaluated">
        <Time iso={rule.last_evaluated_at} />
      </Fact>
      <Fact term="Open alert">
        {rule.open_alert_id !== null ? (
          <Link to={alertDetailPath(rule.open_alert_id)}>#{rule.open_alert_id}</Link>
        ) : (
          <span className="muted">{rule.state === "suppressed" ? "none: held back by a limit" : "none"}</span>
        )}
      </Fact>
      <Fact term="Active">
        <ActiveBadge active={rule.is_active} />
      </Fact>
      {rule.last_error && <Fact term="Last error">{rule.last_error}</Fact>}
    </dl>
  );
}

export function RuleSettingFacts({ rule, unit }: { rule: AlertRule; unit: string }) {
  return (
    <dl className="facts facts--grid">
      <Fact term="Metric">
        <code>{rule.metric_name}</code>
      </Fact>
      <Fact term="Condition">{formatThreshold(rule.condition, rule.threshold_value, unit)}</Fact>
      <Fact term="Window">{rule.time_window_minutes} min</Fact>
      <Fact term="Series">
        {rule.label_matchers.length === 0 ? (
          <span className="muted">every series of the metric</span>
        ) : (
          <ul className="label-chips" aria-label="Label matchers">
            {rule.label_matchers.map((matcher, index) => (
              <li key={index} className="label-chip">
                <span className="label-chip__name">{matcher.label}</span> {matcher.op} <span>{JSON.stringify(matcher.value)}</span>
              </li>
            ))}
          </ul>
        )}
      </Fact>
      <Fact term="Grouped by">
        {rule.group_by.length === 0 ? (
          <span className="muted">not grouped: one value over the series</span>
        ) : (
          <>
            {rule.group_by.join(", ")}
            <span className="facts__note">at most {plural(rule.max_series_per_rule, "group")}</span>
          </>
        )}
      </Fact>
      <Fact term="Pending for">
        {rule.for_minutes === 0 ? "No pending period: fires at once" : `${rule.for_minutes} min before it fires`}
      </Fact>
      <Fact term="Flapping">
        {rule.flap_threshold === 0
          ? "Never judged flapping"
          : `After ${rule.flap_threshold} opens and resolves within ${rule.flap_window_minutes} min`}
      </Fact>
      <Fact term="Aggregation">
        {rule.effective_aggregation}
        {!rule.aggregation && <span className="facts__note">the metric's default</span>}
      </Fact>
      <Fact term="Severity">
        <SeverityBadge severity={rule.severity} />
      </Fact>
      <Fact term="Slack">{rule.slack_enabled ? rule.effective_slack_channel : "Off"}</Fact>
      <Fact term="Email">
        {rule.email_enabled ? rule.email_recipients.join(", ") || "no recipients" : "Off"}
      </Fact>
      <Fact term="Reminders">{rule.cooldown_minutes === 0 ? "Never" : `Every ${rule.cooldown_minutes} min`}</Fact>
      <Fact term="Resolves automatically">{yesNo(rule.auto_resolve)}</Fact>
      <Fact term="Tells the channels when resolved">{yesNo(rule.notify_on_resolve)}</Fact>
      <Fact term="Resolve threshold">
        {rule.resolve_threshold === null ? <span className="muted">none</span> : formatValue(rule.resolve_threshold, unit)}
      </Fact>
      <Fact term="Alerts when there is no data">{yesNo(rule.alert_on_no_data)}</Fact>
      <Fact term="At most">{plural(rule.max_alerts_per_hour, "alert")} an hour</Fact>
      <Fact term="Rule labels">
        {Object.keys(rule.labels).length > 0 ? <LabelChips labels={rule.labels} label="Rule labels" /> : <span className="muted">none</span>}
      </Fact>
      <Fact term="Runbook">
        {rule.runbook_url ? <RunbookLink url={rule.runbook_url} /> : <span className="muted">none</span>}
      </Fact>
      <Fact term="Summary template">
        {rule.summary ? <code className="template">{rule.summary}</code> : <span className="muted">none</span>}
      </Fact>
      <Fact term="Created">
        <Time iso={rule.created_at} />
        {rule.created_by && <span className="facts__note">by {rule.created_by}</span>}
      </Fact>
      <Fact term="Changed">
        <Time iso={rule.updated_at} />
      </Fact>
    </dl>
  );
}
