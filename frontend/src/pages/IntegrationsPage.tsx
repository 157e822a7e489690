import { PushTokens } from "../components/monitoring/PushTokens";
import { LoadingState } from "../components/ui/LoadingState";
import { QueryError } from "../components/ui/QueryError";
import { EmailTestForm, SlackTestForm } from "../components/alerts/TestSendForms";
import { useIntegrations } from "../hooks/alerts/useIntegrations";
import { PERMISSIONS, useCan } from "../hooks/auth/permissions";
import { usePageTitle } from "../hooks/usePageTitle";
import type { Integrations } from "../types/alerts";

type Channel = Integrations["channels"][number];

function ChannelStatus({ channel, extra }: { channel: Channel; extra?: string | undefined }) {
  return (
    <div className={`status-card status-card--${channel.configured ? "ok" : "unavailable"}`}>
      <h3>{channel.label}</h3>
      <p className="status-card__status">
        <span className="status-icon" aria-hidden="true" />
        {channel.configured ? "Configured" : "Not configured"}
      </p>
      {channel.problem && <p className="status-card__description">{channel.problem}</p>}
      {extra && <p className="status-card__description">{extra}</p>}
    </div>
  );
}

const NO_PERMISSION = "Sending a test needs the permission to change rules (the “Alert managers” group).";

/**
 * Whether Slack and email can send here (`GET /api/alerts/integrations/`, which names a missing
 * setting but never a secret), and a test send for each with its outcome.
 */
export function IntegrationsPage() {
  usePageTitle("Integrations");
  const can = useCan();
  const integrations = useIntegrations();
  const mayTest = can(PERMISSIONS.changeRules);

  let body;
  if (integrations.isPending) {
    body = <LoadingState label="Loading the integrations…" />;
  } else if (integrations.isError) {
    body = <QueryError error={integrations.error} what="the integrations" onRetry={() => void integrations.refetch()} />;
  } else {
    const data = integrations.data;
    const slack = data.channels.find((channel) => channel.name === "slack");
    const email = data.channels.find((channel) => channel.name === "email");
    const others = data.channels.filter((channel) => channel.name !== "slack" && channel.name !== "email");
    body = (
      <>
        <section className="section" aria-labelledby="channels-heading">
          <h2 id="channels-heading" className="section__title">
            Channels
          </h2>
          <ul className="status-grid">
            {data.channels.map((channel) => (
              <li key={channel.name}>
                <ChannelStatus
                  channel={channel}
                  extra={channel.name === "slack" ? `Rules without a channel post to ${data.slack_default_channel}.` : undefined}
                />
              </li>
            ))}
          </ul>
          <p className="muted section__note">
            Daily summary: {data.summary_recipients === 0 ? "no recipients (ALERT_SUMMARY_RECIPIENTS is empty), so it is not sent" : `sent at 09:00 to ${data.summary_recipients} ${data.summary_recipients === 1 ? "address" : "addresses"}`}.
          </p>
        </section>
        <div className="dashboard-grid dashboard-grid--even">
          {slack && (
            <section className="panel" aria-labelledby="slack-test-heading">
              <h2 id="slack-test-heading">Test Slack</h2>
              <SlackTestForm
                defaultChannel={data.slack_default_channel}
                disabledReason={mayTest ? null : NO_PERMISSION}
              />
            </section>
          )}
          {email && (
            <section className="panel" aria-labelledby="email-test-heading">
              <h2 id="email-test-heading">Test email</h2>
              <EmailTestForm disabledReason={mayTest ? null : NO_PERMISSION} />
            </section>
          )}
        </div>
        <PushTokens />
        {others.length > 0 && (
          <p className="muted">Other channels ({others.map((channel) => channel.label).join(", ")}) have no test form here yet.</p>
        )}
      </>
    );
  }

  return (
    <>
      <div className="page-header">
        <h1>Integrations</h1>
        <p className="muted">
          Where alerts are sent, and where your services send their telemetry. A channel that is not configured is
          skipped (and its deliveries say so); settings come from the server's environment.
        </p>
      </div>
      <div className="page-sections">{body}</div>
    </>
  );
}
