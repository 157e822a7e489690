import { useAlertTimeline } from "../../hooks/alerts/useSilences";
import { formatDateTime } from "../../lib/format";
import type { TimelineEntry, TimelineKind } from "../../types/alerts";
import { LoadingState } from "../ui/LoadingState";
import { DeliveryStatusBadge } from "./DeliveryTable";

const KINDS: Record<TimelineKind, { icon: string; label: string }> = {
  opened: { icon: "!", label: "Opened" },
  acknowledged: { icon: "✓", label: "Acknowledged" },
  unacknowledged: { icon: "↩", label: "Given back" },
  silenced: { icon: "⏸", label: "Silenced" },
  escalated: { icon: "⇧", label: "Escalated" },
  flapping_started: { icon: "↯", label: "Flapping" },
  flapping_ended: { icon: "≈", label: "Stable again" },
  resolved: { icon: "✔", label: "Resolved" },
  delivery: { icon: "✉", label: "Notification" },
};

const VIA_TEXT: Record<NonNullable<TimelineEntry["via"]>, string> = {
  engine: "by the engine",
  api: "on the dashboard or API",
  admin: "in the admin",
  link: "through a link in a message",
};

/** Who did it and how: "alice, through a link in a message". */
function whoText(entry: TimelineEntry): string | null {
  const parts = [entry.actor, entry.via ? VIA_TEXT[entry.via] : null].filter((part): part is string => Boolean(part));
  return parts.length > 0 ? parts.join(", ") : null;
}

function Entry({ entry }: { entry: TimelineEntry }) {
  // A kind this dashboard does not know yet (a newer server) still shows, with a plain mark.
  const known: Partial<Record<string, { icon: string; label: string }>> = KINDS;
  const kind = known[entry.kind] ?? { icon: "•", label: entry.kind };
  const who = whoText(entry);
  return (
    <li className={`timeline__entry timeline__entry--${entry.kind}`}>
      <span className="timeline__icon" aria-hidden="true">
        {kind.icon}
      </span>
      <div className="timeline__body">
        <p className="timeline__meta">
          <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
          <span className="timeline__kind">{kind.label}</span>
          {entry.status && <DeliveryStatusBadge status={entry.status} />}
        </p>
        <p className="timeline__text">{entry.text}</p>
        {(who ?? entry.channel) && (
          <p className="timeline__who muted">
            {who}
            {who && entry.channel ? " · " : ""}
            {entry.channel && (
              <>
                {entry.channel}
                {entry.target ? ` (${entry.target})` : ""}
              </>
            )}
          </p>
        )}
      </div>
    </li>
  );
}

/**
 * What happened to the alert, oldest first (`GET /api/alerts/history/<id>/timeline/`): opened,
 * acknowledged, silenced, escalated, flapping, resolved, and each delivery with its channel and status.
 * A server without the endpoint (404) says so instead.
 */
export function AlertTimeline({ alertId }: { alertId: number }) {
  const timeline = useAlertTimeline(alertId);
  let body;
  if (timeline.isPending) {
    body = <LoadingState label="Loading the timeline…" />;
  } else if (timeline.isError) {
    body =
      timeline.error.status === 404 ? (
        <p className="muted">This server does not keep a timeline of alerts yet: the notifications below say what was sent.</p>
      ) : (
        <p className="notice notice--error">
          Could not load the timeline: {timeline.error.message}{" "}
          <button type="button" className="button button--secondary button--small" onClick={() => void timeline.refetch()}>
            Try again
          </button>
        </p>
      );
  } else if (timeline.data.entries.length === 0) {
    body = <p className="muted">Nothing recorded yet.</p>;
  } else {
    body = (
      <ol className="timeline" aria-label="What happened, oldest first">
        {timeline.data.entries.map((entry, index) => (
          <Entry key={`${entry.at}-${entry.kind}-${entry.delivery_id ?? index}`} entry={entry} />
        ))}
      </ol>
    );
  }
  return (
    <section className="panel" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Timeline</h2>
      {body}
    </section>
  );
}
