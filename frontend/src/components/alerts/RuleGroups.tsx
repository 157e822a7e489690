import { useId } from "react";
import { Link } from "react-router";
import { formatMaybe, worstFirst } from "../../lib/alerting";
import { formatDateTime } from "../../lib/format";
import { plural } from "../../lib/text";
import { alertDetailPath } from "../../routes/paths";
import type { AlertRule } from "../../types/alerts";
import { FlappingBadge, RuleStateBadge } from "../ui/Badges";
import { LabelChips, labelsText } from "../ui/LabelChips";
import { ruleStateNote } from "./ruleText";

type Group = AlertRule["groups"][number];

/** A grouped rule's groups, worst state first: each one's labels, state, value, since when, open alert. */
export function RuleGroups({ rule, unit }: { rule: AlertRule; unit: string }) {
  const captionId = useId();
  const groups = worstFirst(rule.groups.map((group) => ({ ...group, value: group.last_value })));
  const firing = groups.filter((group) => group.state === "firing").length;
  const pending = groups.filter((group) => group.state === "pending").length;
  const counts = [firing > 0 ? `${firing} firing` : null, pending > 0 ? `${pending} pending` : null].filter(Boolean);
  return (
    <section className="panel" aria-labelledby={captionId}>
      <div className="panel__header">
        <h2 id={captionId} className="panel__title">
          Groups
        </h2>
        <p className="muted">
          By {rule.group_by.join(", ")}: {plural(groups.length, "group")}
          {counts.length > 0 ? ` (${counts.join(", ")})` : ""}, at most {rule.max_series_per_rule}.
        </p>
      </div>
      {groups.length === 0 ? (
        <p className="muted">
          {rule.last_evaluated_at
            ? "No group at the last evaluation: none of the series the matchers select had data."
            : "Not evaluated yet: the groups appear after the next minute's tick."}
        </p>
      ) : (
        <div className="table-scroll" role="region" aria-label={`Groups of ${rule.name}`} tabIndex={0}>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Labels</th>
                <th scope="col">State</th>
                <th scope="col" className="numeric">
                  Last value
                </th>
                <th scope="col">Since</th>
                <th scope="col">Open alert</th>
              </tr>
            </thead>
            <tbody>
              {groups.map((group: Group) => (
                <tr key={group.fingerprint}>
                  <th scope="row">
                    {Object.keys(group.labels).length > 0 ? (
                      <LabelChips labels={group.labels} label={`Group ${labelsText(group.labels)}`} />
                    ) : (
                      <span className="muted">series without these labels</span>
                    )}
                  </th>
                  <td>
                    <RuleStateBadge state={group.state} evaluatedAt={group.last_evaluated_at} />
                    {group.flapping_since && (
                      <>
                        {" "}
                        <FlappingBadge />
                        <span className="message-cell__meta">
                          Flapping since <time dateTime={group.flapping_since}>{formatDateTime(group.flapping_since)}</time>
                        </span>
                      </>
                    )}
                    {ruleStateNote({ state: group.state, state_reason: group.state_reason, last_error: "" }) && (
                      <span className="message-cell__meta">
                        {ruleStateNote({ state: group.state, state_reason: group.state_reason, last_error: "" })}
                      </span>
                    )}
                  </td>
                  <td className="numeric">{group.last_evaluated_at ? formatMaybe(group.last_value, unit) : "—"}</td>
                  <td className="nowrap">
                    {group.state_changed_at ? (
                      <time dateTime={group.state_changed_at}>{formatDateTime(group.state_changed_at)}</time>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td>
                    {group.open_alert_id !== null ? (
                      <Link to={alertDetailPath(group.open_alert_id)}>#{group.open_alert_id}</Link>
                    ) : (
                      <span className="muted">none</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
