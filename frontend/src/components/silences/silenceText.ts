import type { LabelMatcher } from "../../types/alerts";

/** A matcher as the dashboard writes it: `team = payments`, `""` for the empty value. */
export function matcherText(matcher: LabelMatcher): string {
  return `${matcher.label} ${matcher.op} ${matcher.value === "" ? '""' : matcher.value}`;
}

/** The matchers of a silence made from an alert: its rule's name, then its group's labels. */
export function matchersFromAlert(alert: { rule_name: string; group_labels: Readonly<Record<string, string>> }): LabelMatcher[] {
  return [
    { label: "rule", op: "=", value: alert.rule_name },
    ...Object.keys(alert.group_labels)
      .sort()
      .map((name) => ({ label: name, op: "=" as const, value: alert.group_labels[name] ?? "" })),
  ];
}

/** Tomorrow at 09:00 in the reader's time zone. */
export function tomorrowAtNine(now: Date = new Date()): Date {
  const when = new Date(now);
  when.setDate(when.getDate() + 1);
  when.setHours(9, 0, 0, 0);
  return when;
}

/** The durations a silence's end is picked from. */
export const DURATION_PRESETS: readonly { label: string; minutes: number }[] = [
  { label: "1 h", minutes: 60 },
  { label: "2 h", minutes: 120 },
  { label: "4 h", minutes: 240 },
  { label: "8 h", minutes: 480 },
  { label: "1 day", minutes: 1440 },
  { label: "3 days", minutes: 4320 },
  { label: "1 week", minutes: 10080 },
];

/** What a silence's (or a maintenance window's) matchers may name. */
export const SILENCE_MATCHER_HINT =
  "All must hold, over the alert's labels and its severity, category, metric and rule (the rule's name); regexes match the whole value. At least one, and one that does not match an empty value.";
