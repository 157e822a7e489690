import { useEffect, useState } from "react";
import { Link } from "react-router";
import { useSilencePreview } from "../../hooks/alerts/useSilences";
import { alertDetailPath } from "../../routes/paths";
import type { LabelMatcher } from "../../types/alerts";
import { SeverityBadge } from "../ui/Badges";
import { LabelChips } from "../ui/LabelChips";

/** The matchers once typing has paused for `delay` ms. */
function useSettled<T>(value: T, delay: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => {
      setSettled(value);
    }, delay);
    return () => {
      clearTimeout(timer);
    };
  }, [value, delay]);
  return settled;
}

/**
 * Which open alerts the matchers would hold now (`POST /api/alerts/silences/preview/`), asked again
 * each time the matchers settle for half a second. Nothing is saved.
 */
export function SilencePreviewPanel({ matchers, delay = 500 }: { matchers: readonly LabelMatcher[]; delay?: number }) {
  const settled = useSettled(matchers, delay);
  const preview = useSilencePreview(settled);
  const usable = settled.some((matcher) => matcher.label.trim() !== "");
  let body;
  if (!usable) {
    body = <p className="muted">Add a matcher to see which open alerts it would hold.</p>;
  } else if (preview.isPending) {
    body = <p className="muted">Looking for matching open alerts…</p>;
  } else if (preview.isError) {
    body = (
      <p className="notice notice--warning">
        {preview.error.status === 400 ? "The matchers are not right yet: " : "Could not look: "}
        {Object.values(preview.error.fieldErrors).flat().join(" ") || preview.error.message}
      </p>
    );
  } else {
    const { count, alerts } = preview.data;
    body = (
      <>
        <p>
          {count === 0
            ? "No open alert matches now (it would still hold those that open while it lasts)."
            : `${count} open alert${count === 1 ? "" : "s"} match${count === 1 ? "es" : ""} now${count > alerts.length ? ` (the newest ${alerts.length} shown)` : ""}.`}
        </p>
        {alerts.length > 0 && (
          <ul className="silence-preview__list" aria-label="Matching open alerts">
            {alerts.map((alert) => (
              <li key={alert.id} className="silence-preview__item">
                <SeverityBadge severity={alert.severity} />{" "}
                <Link to={alertDetailPath(alert.id)} target="_blank" rel="noopener noreferrer">
                  #{alert.id} {alert.rule_name}
                </Link>
                {alert.acknowledged_at && <span className="muted"> (acknowledged)</span>}
                <LabelChips labels={alert.labels} label={`Labels of alert #${alert.id}`} />
              </li>
            ))}
          </ul>
        )}
      </>
    );
  }
  return (
    <section className="silence-preview form-grid__wide" aria-label="Open alerts it would hold" aria-busy={preview.isFetching}>
      <h3 className="field__label">Open alerts it would hold</h3>
      <div aria-live="polite">{body}</div>
    </section>
  );
}
