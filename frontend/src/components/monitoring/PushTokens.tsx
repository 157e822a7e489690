import { useId, useState, type SubmitEvent } from "react";
import { PERMISSIONS, useCan } from "../../hooks/auth/permissions";
import { useCreatePushToken, usePushTokens, useRevokePushToken } from "../../hooks/monitoring/usePushTokens";
import { formatDateTime } from "../../lib/format";
import type { CreatedPushToken, PushToken } from "../../types/monitoring";
import { Field } from "../ui/Field";
import { LoadingState } from "../ui/LoadingState";
import { QueryError } from "../ui/QueryError";

/** Where an exporter sends: this server's origin and `/otlp` (the exporter adds `/v1/metrics`). */
export function otlpEndpoint(origin: string = window.location.origin): string {
  return `${origin}/otlp`;
}

/** The environment of any OpenTelemetry SDK pointed here with this token. */
export function exporterEnvironment(token: string, origin?: string): string {
  return [
    `OTEL_EXPORTER_OTLP_ENDPOINT=${otlpEndpoint(origin)}`,
    `OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20${token}`,
    "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
  ].join("\n");
}

function NewToken({ created, onDone }: { created: CreatedPushToken; onDone: () => void }) {
  return (
    <div className="notice notice--success" role="status">
      <p>
        Token <strong>{created.name}</strong> created. Copy it now: it is shown this once and never again.
      </p>
      <pre className="code-block" aria-label="The exporter's environment">
        {exporterEnvironment(created.token)}
      </pre>
      <button type="button" className="button button--secondary button--small" onClick={onDone}>
        Done
      </button>
    </div>
  );
}

function CreateForm({ onCreated }: { onCreated: (created: CreatedPushToken) => void }) {
  const [name, setName] = useState("");
  const create = useCreatePushToken();
  const id = useId();
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (create.isPending) return;
    create.mutate(name.trim(), {
      onSuccess: (created) => {
        setName("");
        onCreated(created);
      },
    });
  };
  const error = create.error;
  return (
    <form className="form push-token-form" onSubmit={submit} noValidate aria-label="New push token">
      <Field id={id} label="Name" hint="What it is for, e.g. the service's name." errors={error?.fieldErrors.name}>
        {(control) => (
          <input
            {...control}
            className="field__input"
            type="text"
            value={name}
            maxLength={100}
            onChange={(e) => {
              setName(e.target.value);
            }}
          />
        )}
      </Field>
      <div>
        <button type="submit" className="button button--primary" aria-busy={create.isPending}>
          {create.isPending ? "Creating…" : "Create token"}
        </button>
      </div>
      {error && Object.keys(error.fieldErrors).length === 0 && (
        <p className="notice notice--error">Not created: {error.message}</p>
      )}
    </form>
  );
}

function RevokeButton({ token }: { token: PushToken }) {
  const [confirming, setConfirming] = useState(false);
  const revoke = useRevokePushToken();
  if (!confirming) {
    return (
      <button
        type="button"
        className="button button--secondary button--small"
        aria-label={`Revoke ${token.name}`}
        onClick={() => {
          setConfirming(true);
        }}
      >
        Revoke
      </button>
    );
  }
  return (
    <span className="inline-confirm">
      <span>Exporters using it get 401.</span>{" "}
      <button
        type="button"
        className="button button--small button--danger"
        aria-busy={revoke.isPending}
        onClick={() => {
          revoke.mutate(token.id);
        }}
      >
        Revoke {token.name}
      </button>{" "}
      <button
        type="button"
        className="button button--secondary button--small"
        onClick={() => {
          setConfirming(false);
        }}
      >
        Cancel
      </button>
      {revoke.error && <span className="field__error"> Not revoked: {revoke.error.message}</span>}
    </span>
  );
}

function TokenTable({ tokens, mayRevoke }: { tokens: readonly PushToken[]; mayRevoke: boolean }) {
  if (tokens.length === 0) {
    return <p className="muted">No push tokens yet.</p>;
  }
  return (
    <div className="table-scroll">
      <table className="table">
        <caption className="visually-hidden">Push tokens</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Token</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            {mayRevoke && <th scope="col">Revoke</th>}
          </tr>
        </thead>
        <tbody>
          {tokens.map((token) => (
            <tr key={token.id}>
              <th scope="row">{token.name}</th>
              <td>
                <code>{token.hint}…</code>
              </td>
              <td className="nowrap">
                <time dateTime={token.created_at}>{formatDateTime(token.created_at)}</time>
                {token.created_by && ` by ${token.created_by}`}
              </td>
              <td className="nowrap">
                {token.last_used_at ? (
                  <time dateTime={token.last_used_at}>{formatDateTime(token.last_used_at)}</time>
                ) : (
                  "never"
                )}
              </td>
              {mayRevoke && (
                <td>
                  <RevokeButton token={token} />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * OpenTelemetry: where services export (`/otlp/v1/metrics` and `/otlp/v1/logs`) and the push
 * tokens they authenticate with, which push telemetry and open nothing else.
 */
export function PushTokens() {
  const can = useCan();
  const mayView = can(PERMISSIONS.viewPushTokens);
  const tokens = usePushTokens(mayView);
  const [created, setCreated] = useState<CreatedPushToken | null>(null);
  const headingId = useId();

  let list;
  if (!mayView) {
    list = <p className="muted">Seeing push tokens needs the view permission on them (the “Alert viewers” group).</p>;
  } else if (tokens.isPending) {
    list = <LoadingState label="Loading the push tokens…" />;
  } else if (tokens.isError) {
    list = <QueryError error={tokens.error} what="the push tokens" onRetry={() => void tokens.refetch()} />;
  } else {
    list = <TokenTable tokens={tokens.data.results} mayRevoke={can(PERMISSIONS.revokePushTokens)} />;
  }

  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>OpenTelemetry</h2>
      <p>
        Services instrumented with OpenTelemetry export their metrics and error logs here: set{" "}
        <code>OTEL_EXPORTER_OTLP_ENDPOINT={otlpEndpoint()}</code> and a push token in{" "}
        <code>OTEL_EXPORTER_OTLP_HEADERS</code>. Their routes, errors and hosts then appear as labelled series
        (<code>service</code>, <code>route</code>, <code>host</code>) that rules watch.
      </p>
      {created && (
        <NewToken
          created={created}
          onDone={() => {
            setCreated(null);
          }}
        />
      )}
      {can(PERMISSIONS.addPushTokens) && <CreateForm onCreated={setCreated} />}
      {list}
    </section>
  );
}
