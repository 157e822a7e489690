import { useState } from "react";
import { Link } from "react-router";
import { ChannelCard } from "../components/channels/ChannelCard";
import { ChannelFormDialog } from "../components/channels/ChannelFormDialog";
import { PushTokens } from "../components/monitoring/PushTokens";
import { ConfirmDialog } from "../components/ui/ConfirmDialog";
import { LoadingState } from "../components/ui/LoadingState";
import { QueryError } from "../components/ui/QueryError";
import { useChannelKinds, useChannels, useDeleteChannel, useUpdateChannel } from "../hooks/alerts/useChannels";
import { useIntegrations } from "../hooks/alerts/useIntegrations";
import { PERMISSIONS, useCan } from "../hooks/auth/permissions";
import { usePageTitle } from "../hooks/usePageTitle";
import { paths } from "../routes/paths";
import type { NotificationChannel } from "../types/alerts";

type Editing = { kind: "add" } | { kind: "edit"; channel: NotificationChannel } | null;

function summaryText(recipients: number): string {
  if (recipients === 0) return "no recipients (ALERT_SUMMARY_RECIPIENTS is empty), so it is not sent";
  return `sent at 09:00 to ${recipients} ${recipients === 1 ? "address" : "addresses"}`;
}

/**
 * Where alerts are sent: every notification channel (the environment's default Slack and email
 * ones, and those added here from each kind's declared settings), whether it can send, its last 7
 * days, a test send with the receiver's answer and its recent deliveries; and where services send
 * their telemetry (push tokens). Viewers see it all, never a secret, and change nothing.
 */
export function IntegrationsPage() {
  usePageTitle("Integrations");
  const can = useCan();
  const mayAdd = can(PERMISSIONS.addChannels);
  const mayChange = can(PERMISSIONS.changeChannels);
  const mayDelete = can(PERMISSIONS.deleteChannels);
  const channels = useChannels();
  const kinds = useChannelKinds();
  const integrations = useIntegrations();
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<NotificationChannel | null>(null);
  const [notice, setNotice] = useState<{ text: string; error: boolean } | null>(null);
  const switchChannel = useUpdateChannel();
  const remove = useDeleteChannel();

  let body;
  if (channels.isPending || kinds.isPending) {
    body = <LoadingState label="Loading the channels…" />;
  } else if (channels.isError) {
    body = <QueryError error={channels.error} what="the channels" onRetry={() => void channels.refetch()} />;
  } else if (kinds.isError) {
    body = <QueryError error={kinds.error} what="the channel kinds" onRetry={() => void kinds.refetch()} />;
  } else {
    const list = channels.data.results;
    const slackDefault = integrations.data?.slack_default_channel;
    body = (
      <section className="section" aria-labelledby="channels-heading">
        <div className="section__header">
          <h2 id="channels-heading" className="section__title">
            Channels
          </h2>
          {mayAdd && (
            <button
              type="button"
              className="button button--primary"
              onClick={() => {
                setNotice(null);
                setEditing({ kind: "add" });
              }}
            >
              Add channel
            </button>
          )}
        </div>
        <ul className="channel-list">
          {list.map((channel) => (
            <li key={channel.id}>
              <ChannelCard
                channel={channel}
                kind={kinds.data.find((kind) => kind.kind === channel.kind)}
                note={channel.builtin === "slack" && slackDefault ? `Rules without a channel post to ${slackDefault}.` : undefined}
                mayChange={mayChange}
                mayDelete={mayDelete}
                switching={switchChannel.isPending && switchChannel.variables.id === channel.id}
                onEdit={() => {
                  setNotice(null);
                  setEditing({ kind: "edit", channel });
                }}
                onDelete={() => {
                  setNotice(null);
                  setDeleting(channel);
                }}
                onSwitch={(active) => {
                  switchChannel.mutate(
                    { id: channel.id, patch: { is_active: active } },
                    {
                      onSuccess: (saved) => {
                        setNotice({ text: `${saved.name} is ${saved.is_active ? "on" : "off"}.`, error: false });
                      },
                      onError: (error) => {
                        setNotice({ text: `Could not switch ${channel.name}: ${error.message}`, error: true });
                      },
                    },
                  );
                }}
              />
            </li>
          ))}
        </ul>
        <p className="muted section__note">
          Which alerts reach which channel: the rule's own choices, then the{" "}
          <Link to={paths.policies}>notification policies</Link>.
          {integrations.data && <> Daily summary: {summaryText(integrations.data.summary_recipients)}.</>}
        </p>
      </section>
    );
  }

  return (
    <>
      <div className="page-header">
        <h1>Integrations</h1>
        <p className="muted">
          Where alerts are sent, and where your services send their telemetry. A channel that is not configured or
          switched off is skipped (and its deliveries say so).
        </p>
      </div>
      <div aria-live="polite">
        {notice && (
          <p className={`notice ${notice.error ? "notice--error" : "notice--success"}`} role="status">
            {notice.text}
          </p>
        )}
      </div>
      <div className="page-sections">
        {body}
        <PushTokens />
      </div>
      {editing && kinds.data && (
        <ChannelFormDialog
          kinds={kinds.data}
          channel={editing.kind === "edit" ? editing.channel : null}
          onCancel={() => {
            setEditing(null);
          }}
          onDone={(saved) => {
            setNotice({ text: editing.kind === "add" ? `Added ${saved.name}.` : `Saved ${saved.name}.`, error: false });
            setEditing(null);
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete ${deleting.name}?`}
          confirmLabel="Delete channel"
          destructive
          busy={remove.isPending}
          onCancel={() => {
            setDeleting(null);
          }}
          onConfirm={() => {
            remove.mutate(deleting.id, {
              onSuccess: () => {
                setNotice({ text: `Deleted ${deleting.name}.`, error: false });
                setDeleting(null);
              },
              onError: (error) => {
                setNotice({ text: `Could not delete ${deleting.name}: ${error.message}`, error: true });
                setDeleting(null);
              },
            });
          }}
        >
          Rules and policies stop sending to it; its past deliveries stay, with its name.
        </ConfirmDialog>
      )}
    </>
  );
}
