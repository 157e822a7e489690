import type { LabelMatcher } from "../../types/alerts";
import { matcherText } from "./silenceText";

/** A silence's or maintenance window's matchers as chips (`team = payments`). */
export function MatcherChips({ matchers, label }: { matchers: readonly LabelMatcher[]; label: string }) {
  return (
    <ul className="label-chips" aria-label={label}>
      {matchers.map((matcher, index) => (
        <li key={index} className="label-chip">
          {matcherText(matcher)}
        </li>
      ))}
    </ul>
  );
}
