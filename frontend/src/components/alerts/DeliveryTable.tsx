import { useId } from "react";
import { formatDateTime } from "../../lib/format";
import type { Delivery, DeliveryStatus, NotificationEvent } from "../../types/alerts";

const STATUS_TEXT: Record<DeliveryStatus, string> = {
  pending: "Pending",
  sent: "Sent",
  failed: "Failed",
  skipped: "Skipped",
};

const EVENT_TEXT: Record<NotificationEvent, string> = {
  trigger: "Alert",
  reminder: "Reminder",
  resolve: "Resolved",
  test: "Test",
  summary: "Summary",
  suppressed: "Held back",
  acknowledge: "Acknowledged",
  group: "Group",
  escalation: "Escalation",
  flapping: "Flapping",
};

const CHANNEL_TEXT: Record<string, string> = { slack: "Slack", email: "Email" };

export function DeliveryStatusBadge({ status }: { status: DeliveryStatus }) {
  return <span className={`badge badge--delivery-${status}`}>{STATUS_TEXT[status]}</span>;
}

function When({ delivery }: { delivery: Delivery }) {
  if (delivery.sent_at) return <time dateTime={delivery.sent_at}>{formatDateTime(delivery.sent_at)}</time>;
  if (delivery.status === "pending" && delivery.next_attempt_at) {
    return (
      <>
        next try <time dateTime={delivery.next_attempt_at}>{formatDateTime(delivery.next_attempt_at)}</time>
      </>
    );
  }
  return <span className="muted">not sent</span>;
}

/** Every message sent about an alert: where, what became of it, after how many attempts, and why. */
export function DeliveryTable({
  deliveries,
  caption = "Notifications",
  emptyText = "No message of its own was sent: its rule and the policies name no channel for it, or it goes out in a group's messages (the timeline lists them).",
}: {
  deliveries: readonly Delivery[];
  caption?: string;
  emptyText?: string;
}) {
  const captionId = useId();
  if (deliveries.length === 0) {
    return <p className="muted">{emptyText}</p>;
  }
  return (
    <div className="table-scroll" role="region" aria-labelledby={captionId} tabIndex={0}>
      <table className="table">
        <caption id={captionId} className="visually-hidden">
          {caption}
        </caption>
        <thead>
          <tr>
            <th scope="col">Message</th>
            <th scope="col">Channel</th>
            <th scope="col">To</th>
            <th scope="col">Status</th>
            <th scope="col" className="numeric">
              Attempts
            </th>
            <th scope="col" className="numeric">
              Reply
            </th>
            <th scope="col">Sent</th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((delivery) => (
            <tr key={delivery.id}>
              <th scope="row">{EVENT_TEXT[delivery.event]}</th>
              <td className="nowrap">{delivery.channel_name || (CHANNEL_TEXT[delivery.channel] ?? delivery.channel)}</td>
              <td>
                <code>{delivery.target}</code>
              </td>
              <td>
                <DeliveryStatusBadge status={delivery.status} />
              </td>
              <td className="numeric">{delivery.attempts}</td>
              <td className="numeric">{delivery.response_code ?? <span className="muted">none</span>}</td>
              <td className="nowrap">
                <When delivery={delivery} />
              </td>
              <td className="message-cell">{delivery.last_error || <span className="muted">none</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
