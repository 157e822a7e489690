import { useId, useState, type SubmitEvent } from "react";
import { useChannelDeliveries, useChannelTest } from "../../hooks/alerts/useChannels";
import { formatDateTime } from "../../lib/format";
import type { ChannelKind, NotificationChannel } from "../../types/alerts";
import { DeliveryTable } from "../alerts/DeliveryTable";
import { Outcome } from "../alerts/TestSendOutcome";
import { Field } from "../ui/Field";
import { LoadingState } from "../ui/LoadingState";
import { QueryError } from "../ui/QueryError";
import { plainSettings, secretSettings } from "./channelForm";

/** A setting's stored value in words. */
function settingText(value: unknown): string {
  if (value === undefined || value === null || value === "") return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (Array.isArray(value)) return value.map(String).join(", ");
  if (typeof value === "object") {
    return Object.keys(value).join(", ") || "—";
  }
  return typeof value === "string" ? value : JSON.stringify(value);
}

function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}

/** The last 7 days' deliveries, in words. */
function StatsLine({ channel }: { channel: NotificationChannel }) {
  const { sent, failed, skipped, pending, failure_rate: rate, last_delivery_at: last } = channel.stats;
  const counts = [`${sent} sent`, `${failed} failed`];
  if (skipped > 0) counts.push(`${skipped} skipped`);
  if (pending > 0) counts.push(`${pending} pending`);
  return (
    <p className="channel-card__stats">
      <span>Last 7 days: {counts.join(", ")}</span>
      <span>{rate === null ? "no failure rate yet" : `${percent(rate)} failed`}</span>
      <span>
        {last ? (
          <>
            last delivery <time dateTime={last}>{formatDateTime(last)}</time>
          </>
        ) : (
          "no delivery yet"
        )}
      </span>
    </p>
  );
}

/** What the kind declares, with the stored values: a secret only as set or not set. */
function SettingsFacts({ channel, kind }: { channel: NotificationChannel; kind: ChannelKind | undefined }) {
  if (channel.builtin) {
    return <p className="muted">Configured by the server's environment: {settingText(channel.settings?.configured_by)}.</p>;
  }
  if (!kind) return <p className="muted">Unknown kind {channel.kind}.</p>;
  const settings = channel.settings ?? {};
  return (
    <dl className="facts facts--grid channel-card__settings">
      {plainSettings(kind).map((setting) => (
        <div key={setting.name}>
          <dt>{setting.label}</dt>
          <dd>{settingText(settings[setting.name])}</dd>
        </div>
      ))}
      {secretSettings(kind).map((setting) => (
        <div key={setting.name}>
          <dt>{setting.label}</dt>
          <dd>{channel.secrets?.[setting.name] ?? "not set"}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A test message through the channel, with the receiver's answer. */
function ChannelTestForm({ channel, kind }: { channel: NotificationChannel; kind: ChannelKind | undefined }) {
  const id = useId();
  const send = useChannelTest(channel.id);
  const [target, setTarget] = useState("");
  const [message, setMessage] = useState("");
  const errors = send.error?.fieldErrors ?? {};
  const targetLabel = kind?.target_setting ? kind.target_label : "";
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!send.isPending) send.mutate({ target: target.trim(), message: message.trim() });
  };
  return (
    <form className="form test-send" onSubmit={submit} noValidate aria-label={`Send a test through ${channel.name}`}>
      {targetLabel && (
        <Field
          id={`${id}-target`}
          label={targetLabel}
          hint={`Optional; blank: ${channel.targets.filter(Boolean).join(", ") || "the channel's own"}.`}
          errors={errors.target}
        >
          {(control) => (
            <input
              {...control}
              className="field__input"
              value={target}
              onChange={(event) => {
                setTarget(event.target.value);
              }}
            />
          )}
        </Field>
      )}
      <Field id={`${id}-message`} label="Message" hint="Optional; a default test message when blank." errors={errors.message}>
        {(control) => (
          <textarea
            {...control}
            className="field__input"
            rows={2}
            value={message}
            onChange={(event) => {
              setMessage(event.target.value);
            }}
          />
        )}
      </Field>
      <div>
        <button type="submit" className="button button--primary" aria-busy={send.isPending} aria-disabled={send.isPending}>
          {send.isPending ? "Sending…" : "Send test"}
        </button>
      </div>
      <Outcome result={send.data} error={send.error} />
    </form>
  );
}

function RecentDeliveries({ channel }: { channel: NotificationChannel }) {
  const deliveries = useChannelDeliveries(channel.id);
  if (deliveries.isPending) return <LoadingState label="Loading the deliveries…" />;
  if (deliveries.isError) {
    return <QueryError error={deliveries.error} what="the deliveries" onRetry={() => void deliveries.refetch()} />;
  }
  return (
    <DeliveryTable
      deliveries={deliveries.data}
      caption={`Recent deliveries of ${channel.name}`}
      emptyText="Nothing was sent through this channel yet."
    />
  );
}

interface ChannelCardProps {
  channel: NotificationChannel;
  kind: ChannelKind | undefined;
  /** Said under the default Slack channel: where rules without a channel of their own post. */
  note?: string | undefined;
  mayChange: boolean;
  mayDelete: boolean;
  /** While the switch's change is under way. */
  switching: boolean;
  onEdit: () => void;
  onDelete: () => void;
  onSwitch: (active: boolean) => void;
}

/**
 * One channel: its kind, whether it can send (and why not), where it sends, its last 7 days; the
 * manager's edit, switch, test and delete; everyone's view of its settings and recent deliveries.
 */
export function ChannelCard({ channel, kind, note, mayChange, mayDelete, switching, onEdit, onDelete, onSwitch }: ChannelCardProps) {
  const titleId = useId();
  const switchId = useId();
  const [showDeliveries, setShowDeliveries] = useState(false);
  const status = channel.configured ? "ok" : "unavailable";
  // A channel that is its own destination (a webhook) answers one blank target.
  const targets = channel.targets.filter((target) => target !== "");
  return (
    <article className={`status-card status-card--${status} channel-card`} aria-labelledby={titleId}>
      <div className="channel-card__header">
        <h3 id={titleId}>{channel.name}</h3>
        <span className="badge">{channel.kind_label}</span>
        {channel.builtin && <span className="badge">default</span>}
        {!channel.is_active && <span className="badge badge--inactive">Off</span>}
      </div>
      <p className="status-card__status">
        <span className="status-icon" aria-hidden="true" />
        {channel.configured ? "Configured" : "Not configured"}
      </p>
      {channel.problem && <p className="status-card__description">{channel.problem}</p>}
      <p className="status-card__description">
        {targets.length > 0 ? (
          <>
            Sends to{" "}
            {targets.map((target, index) => (
              <span key={target}>
                {index > 0 && ", "}
                <code>{target}</code>
              </span>
            ))}
          </>
        ) : channel.targets.length === 0 ? (
          // The default email channel: its addresses are each rule's email recipients.
          "Sends to the addresses each rule lists; it has none of its own."
        ) : (
          "Sends to its own destination."
        )}
      </p>
      {note && <p className="status-card__description">{note}</p>}
      <StatsLine channel={channel} />
      {channel.provisioned && (
        <p className="status-card__description">Provisioned from {channel.provisioned}: read-only.</p>
      )}
      {mayChange && !channel.provisioned && (
        <div className="channel-card__actions">
          <div className="field__check">
            <input
              id={switchId}
              type="checkbox"
              role="switch"
              className="checkbox"
              checked={channel.is_active}
              aria-busy={switching}
              onChange={(event) => {
                if (!switching) onSwitch(event.target.checked);
              }}
            />
            <label htmlFor={switchId}>Active</label>
          </div>
          <button type="button" className="button button--secondary button--small" aria-label={`Edit ${channel.name}`} onClick={onEdit}>
            Edit
          </button>
          {mayDelete && !channel.builtin && (
            <button
              type="button"
              className="button button--danger-outline button--small"
              aria-label={`Delete ${channel.name}`}
              onClick={onDelete}
            >
              Delete
            </button>
          )}
        </div>
      )}
      <details className="channel-card__more">
        <summary>Settings</summary>
        <SettingsFacts channel={channel} kind={kind} />
      </details>
      {mayChange && (
        <details className="channel-card__more">
          <summary>Send a test</summary>
          <ChannelTestForm channel={channel} kind={kind} />
        </details>
      )}
      <details
        className="channel-card__more"
        onToggle={(event) => {
          setShowDeliveries(event.currentTarget.open);
        }}
      >
        <summary>Recent deliveries</summary>
        {showDeliveries && <RecentDeliveries channel={channel} />}
      </details>
    </article>
  );
}
