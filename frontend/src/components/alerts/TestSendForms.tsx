import { useId, useState, type ReactNode, type SubmitEvent } from "react";
import type { ApiError } from "../../api/client";
import { useTestEmail, useTestSlack } from "../../hooks/alerts/useIntegrations";
import type { TestSendResult } from "../../types/alerts";
import { Field } from "../ui/Field";

/** What a test send came to, in words: 200 sent, 400 not configured or invalid, 502 refused, 429. */
export function describeTestFailure(error: ApiError): string {
  if (error.status === 429) {
    return error.retryAfterSeconds !== null
      ? `Too many test sends: try again in ${error.retryAfterSeconds} s.`
      : `Too many test sends: ${error.message}`;
  }
  if (error.status === 502) return `Refused: ${error.message}`;
  if (error.status === 400 && Object.keys(error.fieldErrors).length > 0) return "Not sent: check the fields.";
  if (error.status === 400) return `Not sent: ${error.message}`;
  return `Not sent: ${error.message}`;
}

function Outcome({ result, error }: { result: TestSendResult | undefined; error: ApiError | null }) {
  return (
    <div className="test-send__outcome" aria-live="polite">
      {result && (
        <p className="notice notice--success">
          {result.detail}
          {result.delivery?.response_code != null && ` (reply ${result.delivery.response_code})`}
        </p>
      )}
      {error && <p className="notice notice--error">{describeTestFailure(error)}</p>}
    </div>
  );
}

function TestForm({
  title,
  children,
  busy,
  onSubmit,
  disabledReason,
}: {
  title: string;
  children: ReactNode;
  busy: boolean;
  onSubmit: () => void;
  disabledReason: string | null;
}) {
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!busy && !disabledReason) onSubmit();
  };
  return (
    <form className="form test-send" onSubmit={submit} noValidate aria-label={title}>
      {children}
      <div>
        <button type="submit" className="button button--primary" aria-busy={busy} aria-disabled={busy || disabledReason !== null}>
          {busy ? "Sending…" : "Send test"}
        </button>
        {disabledReason && <p className="muted">{disabledReason}</p>}
      </div>
    </form>
  );
}

/** The optional text of a test send. */
function MessageField({
  id,
  value,
  errors,
  onChange,
}: {
  id: string;
  value: string;
  errors: readonly string[] | undefined;
  onChange: (value: string) => void;
}) {
  return (
    <Field id={id} label="Message" hint="Optional; a default test message when blank." errors={errors}>
      {(control) => (
        <textarea
          {...control}
          className="field__input"
          rows={2}
          value={value}
          onChange={(event) => {
            onChange(event.target.value);
          }}
        />
      )}
    </Field>
  );
}

export function SlackTestForm({ disabledReason, defaultChannel }: { disabledReason: string | null; defaultChannel: string }) {
  const id = useId();
  const send = useTestSlack();
  const [message, setMessage] = useState("");
  const [channel, setChannel] = useState("");
  const errors = send.error?.fieldErrors ?? {};
  return (
    <TestForm
      title="Send a test message to Slack"
      busy={send.isPending}
      disabledReason={disabledReason}
      onSubmit={() => {
        send.mutate({ message: message.trim(), channel: channel.trim() });
      }}
    >
      <MessageField id={`${id}-message`} value={message} errors={errors.message} onChange={setMessage} />
      <Field id={`${id}-channel`} label="Channel" hint={`Optional: #channel or @user; blank: ${defaultChannel}.`} errors={errors.channel}>
        {(control) => (
          <input
            {...control}
            className="field__input"
            value={channel}
            placeholder={defaultChannel}
            onChange={(event) => {
              setChannel(event.target.value);
            }}
          />
        )}
      </Field>
      <Outcome result={send.data} error={send.error} />
    </TestForm>
  );
}

export function EmailTestForm({ disabledReason }: { disabledReason: string | null }) {
  const id = useId();
  const send = useTestEmail();
  const [recipient, setRecipient] = useState("");
  const [message, setMessage] = useState("");
  const errors = send.error?.fieldErrors ?? {};
  return (
    <TestForm
      title="Send a test email"
      busy={send.isPending}
      disabledReason={disabledReason}
      onSubmit={() => {
        send.mutate({ recipient: recipient.trim(), message: message.trim() });
      }}
    >
      <Field id={`${id}-recipient`} label="Recipient" errors={errors.recipient}>
        {(control) => (
          <input
            {...control}
            type="email"
            autoComplete="email"
            className="field__input"
            value={recipient}
            onChange={(event) => {
              setRecipient(event.target.value);
            }}
          />
        )}
      </Field>
      <MessageField id={`${id}-message`} value={message} errors={errors.message} onChange={setMessage} />
      <Outcome result={send.data} error={send.error} />
    </TestForm>
  );
}
