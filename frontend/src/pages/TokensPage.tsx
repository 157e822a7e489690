import { useId, useState, type SubmitEvent } from "react";
import { CopyLine } from "../components/checks/CheckParts";
import { ConfirmDialog } from "../components/ui/ConfirmDialog";
import { EmptyState } from "../components/ui/EmptyState";
import { Field } from "../components/ui/Field";
import { LoadingState } from "../components/ui/LoadingState";
import { QueryError } from "../components/ui/QueryError";
import { useApiTokens, useCreateApiToken, useRevokeApiToken } from "../hooks/tokens/useApiTokens";
import { usePageTitle } from "../hooks/usePageTitle";
import { formatDateTime } from "../lib/format";
import { SCOPE_LABELS, TOKEN_SCOPES, type ApiToken, type CreatedApiToken, type TokenScope } from "../types/tokens";

const EXPIRIES = [
  { value: "never", label: "Never" },
  { value: "7", label: "In 7 days" },
  { value: "30", label: "In 30 days" },
  { value: "90", label: "In 90 days" },
  { value: "365", label: "In a year" },
  { value: "date", label: "On a date…" },
] as const;
type Expiry = (typeof EXPIRIES)[number]["value"];

/** The `expires_at` to send: none, some days from `now`, or the end of a chosen day (local time). */
export function expiresAt(expiry: Expiry, date: string, now: Date = new Date()): string | null {
  if (expiry === "never") return null;
  if (expiry === "date") {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return date; // left for the server to refuse
    return new Date(`${date}T23:59:59`).toISOString();
  }
  return new Date(now.getTime() + Number(expiry) * 86_400_000).toISOString();
}

function tokenState(token: ApiToken, now: number = Date.now()): "active" | "expired" | "revoked" {
  if (token.revoked_at) return "revoked";
  if (token.expires_at && Date.parse(token.expires_at) <= now) return "expired";
  return "active";
}

const STATE_LABELS = { active: "Active", expired: "Expired", revoked: "Revoked" } as const;

function NewKey({ created, onDone }: { created: CreatedApiToken; onDone: () => void }) {
  return (
    <div className="notice notice--success" role="status" aria-label="New token">
      <p>
        Token <strong>{created.name}</strong> created. Copy the key now: you will not see it again (only its first
        characters are kept to tell it apart). Send it as <code>Authorization: Bearer &lt;key&gt;</code>.
      </p>
      <CopyLine text={created.token} label="the new key" />
      <button type="button" className="button button--secondary button--small" onClick={onDone}>
        Done
      </button>
    </div>
  );
}

function CreateForm({ onCreated }: { onCreated: (created: CreatedApiToken) => void }) {
  const [name, setName] = useState("");
  const [scope, setScope] = useState<TokenScope>("read");
  const [expiry, setExpiry] = useState<Expiry>("90");
  const [date, setDate] = useState("");
  const create = useCreateApiToken();
  const nameId = useId();
  const scopeId = useId();
  const expiryId = useId();
  const dateId = useId();
  const errors = create.error?.fieldErrors ?? {};
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (create.isPending) return;
    create.mutate(
      { name: name.trim(), scope, expires_at: expiresAt(expiry, date) },
      {
        onSuccess: (created) => {
          setName("");
          onCreated(created);
        },
      },
    );
  };
  return (
    <form className="form" onSubmit={submit} noValidate aria-label="New API token">
      <Field id={nameId} label="Name" hint="What it is for, e.g. the script or the machine." errors={errors.name} required>
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
      <Field id={scopeId} label="Scope" hint="Never more than you may do yourself." errors={errors.scope}>
        {(control) => (
          <select
            {...control}
            className="field__input"
            value={scope}
            onChange={(e) => {
              setScope(TOKEN_SCOPES.find((s) => s === e.target.value) ?? "read");
            }}
          >
            {TOKEN_SCOPES.map((value) => (
              <option key={value} value={value}>
                {SCOPE_LABELS[value]}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id={expiryId} label="Expires" errors={expiry === "date" ? undefined : errors.expires_at}>
        {(control) => (
          <select
            {...control}
            className="field__input"
            value={expiry}
            onChange={(e) => {
              setExpiry(EXPIRIES.find((option) => option.value === e.target.value)?.value ?? "never");
            }}
          >
            {EXPIRIES.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      {expiry === "date" && (
        <Field id={dateId} label="Expiry date" hint="Valid through that day." errors={errors.expires_at}>
          {(control) => (
            <input
              {...control}
              className="field__input"
              type="date"
              value={date}
              onChange={(e) => {
                setDate(e.target.value);
              }}
            />
          )}
        </Field>
      )}
      <div>
        <button type="submit" className="button button--primary" aria-busy={create.isPending}>
          {create.isPending ? "Creating…" : "Create token"}
        </button>
      </div>
      {create.error && Object.keys(create.error.fieldErrors).length === 0 && (
        <p className="notice notice--error">Not created: {create.error.message}</p>
      )}
    </form>
  );
}

function TokenTable({ tokens, onRevoke }: { tokens: readonly ApiToken[]; onRevoke: (token: ApiToken) => void }) {
  return (
    <div className="table-scroll">
      <table className="table">
        <caption className="visually-hidden">API tokens</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Key</th>
            <th scope="col">Scope</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">Last used</th>
            <th scope="col">State</th>
            <th scope="col">
              <span className="visually-hidden">Revoke</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((token) => {
            const state = tokenState(token);
            return (
              <tr key={token.id}>
                <th scope="row">{token.name}</th>
                <td>
                  <code>{token.hint}…</code>
                </td>
                <td>{token.scope}</td>
                <td className="nowrap">
                  <time dateTime={token.created_at}>{formatDateTime(token.created_at)}</time>
                </td>
                <td className="nowrap">
                  {token.expires_at ? (
                    <time dateTime={token.expires_at}>{formatDateTime(token.expires_at)}</time>
                  ) : (
                    "never"
                  )}
                </td>
                <td className="nowrap">
                  {token.last_used_at ? (
                    <>
                      <time dateTime={token.last_used_at}>{formatDateTime(token.last_used_at)}</time>
                      {token.last_used_address && ` from ${token.last_used_address}`}
                    </>
                  ) : (
                    "never"
                  )}
                </td>
                <td>{STATE_LABELS[state]}</td>
                <td>
                  {state !== "revoked" && (
                    <button
                      type="button"
                      className="button button--danger-outline button--small"
                      aria-label={`Revoke ${token.name}`}
                      onClick={() => {
                        onRevoke(token);
                      }}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The signed-in user's API tokens, for scripts and other systems: create one (name, scope,
 * expiry; the key is shown once), see each one's scope, expiry and last use, revoke it.
 */
export function TokensPage() {
  usePageTitle("API tokens");
  const tokens = useApiTokens();
  const revoke = useRevokeApiToken();
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const [notice, setNotice] = useState<{ text: string; error: boolean } | null>(null);

  let body;
  if (tokens.isPending) {
    body = <LoadingState label="Loading your tokens…" />;
  } else if (tokens.isError) {
    body = <QueryError error={tokens.error} what="your tokens" onRetry={() => void tokens.refetch()} />;
  } else if (tokens.data.results.length === 0) {
    body = (
      <EmptyState title="No API token yet">
        <p className="muted">A token lets a script or another system use the API as you, within its scope.</p>
      </EmptyState>
    );
  } else {
    body = (
      <TokenTable
        tokens={tokens.data.results}
        onRevoke={(token) => {
          setNotice(null);
          setRevoking(token);
        }}
      />
    );
  }

  return (
    <>
      <div className="page-header">
        <h1>API tokens</h1>
        <p className="muted">
          Your tokens for scripts and other systems (<code>Authorization: Bearer &lt;key&gt;</code>). A token may do what
          you may, narrowed by its scope: <em>read</em> only reads, <em>push</em> only sends metrics and telemetry.
        </p>
      </div>
      <section className="panel" aria-label="Create a token">
        {created && (
          <NewKey
            created={created}
            onDone={() => {
              setCreated(null);
            }}
          />
        )}
        <CreateForm
          onCreated={(made) => {
            setNotice(null);
            setCreated(made);
          }}
        />
      </section>
      <div aria-live="polite">
        {notice && (
          <p className={`notice ${notice.error ? "notice--error" : "notice--success"}`} role="status">
            {notice.text}
          </p>
        )}
      </div>
      <section className="section" aria-label="Your tokens">
        {body}
      </section>
      {revoking && (
        <ConfirmDialog
          title={`Revoke ${revoking.name}?`}
          confirmLabel="Revoke"
          destructive
          busy={revoke.isPending}
          onCancel={() => {
            setRevoking(null);
          }}
          onConfirm={() => {
            const token = revoking;
            revoke.mutate(token.id, {
              onSuccess: () => {
                setRevoking(null);
                setNotice({ text: `Token ${token.name} revoked: requests with it now get 401.`, error: false });
              },
              onError: (error) => {
                setRevoking(null);
                setNotice({ text: `Could not revoke ${token.name}: ${error.message}`, error: true });
              },
            });
          }}
        >
          <p>Scripts and systems using it are refused from now on. This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
