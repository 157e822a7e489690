import { useState } from "react";
import type { ApiError } from "../../api/client";
import { useRestoreRuleVersion, useRuleVersions } from "../../hooks/alerts/useRuleVersions";
import { PERMISSIONS, useCan } from "../../hooks/auth/permissions";
import { formatDateTime } from "../../lib/format";
import type { AlertRule } from "../../types/alerts";
import type { ChangeSource, RuleVersion } from "../../types/audit";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { EmptyState } from "../ui/EmptyState";
import { LoadingState } from "../ui/LoadingState";
import { QueryError } from "../ui/QueryError";

const SOURCES: Record<ChangeSource, string> = {
  api: "the API",
  dashboard: "the dashboard",
  admin: "the admin",
  import: "an import",
  provisioning: "provisioning",
  system: "the system",
};

/** A field's value as the diff shows it: "—" for none, lists and objects as JSON. */
export function shownValue(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** Who made a version and through what: "oncall (token “deploy”) from the API". */
export function versionAuthor(version: RuleVersion): string {
  const who = version.user_name ?? (version.source === "provisioning" ? "provisioning" : "nobody signed in");
  const token = version.token_name ? ` (token “${version.token_name}”)` : "";
  return `${who}${token} from ${SOURCES[version.source]}`;
}

function VersionChanges({ version }: { version: RuleVersion }) {
  const fields = Object.entries(version.changes);
  if (fields.length === 0) return <p className="muted">No field changed.</p>;
  return (
    <table className="table table--compact">
      <caption className="visually-hidden">Changes in version {version.number}</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {fields.map(([field, pair]) => {
          const [before, after] = pair ?? [null, null];
          return (
          <tr key={field}>
            <th scope="row">
              <code>{field}</code>
            </th>
            <td>{version.action === "create" ? "—" : shownValue(before)}</td>
            <td>{shownValue(after)}</td>
          </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** A rule's versions, newest first, each with its diff; "Restore this version" for those who may change rules
 * (not for a rule a provisioning file holds: its file is changed instead). */
export function RuleVersions({ rule }: { rule: AlertRule }) {
  const can = useCan();
  const versions = useRuleVersions(rule.id);
  const restore = useRestoreRuleVersion(rule.id);
  const [asking, setAsking] = useState<RuleVersion | null>(null);
  const [outcome, setOutcome] = useState<{ kind: "success" | "failure"; message: string } | null>(null);

  let body;
  if (versions.isPending) body = <LoadingState label="Loading the rule's versions…" />;
  else if (versions.isError) {
    body = <QueryError error={versions.error} what="the rule's versions" onRetry={() => void versions.refetch()} />;
  } else if (versions.data.length === 0) {
    body = <EmptyState title="No recorded version: the rule has not changed since the audit trail began." />;
  } else {
    const latest = versions.data[0]?.number;
    body = (
      <ol className="version-list" reversed>
        {versions.data.map((version) => (
          <li key={version.number} className="version-list__item" aria-label={`Version ${version.number}`}>
            <p>
              <strong>Version {version.number}</strong>
              {version.number === latest && <span className="badge">current</span>} · {formatDateTime(version.when)} ·{" "}
              {version.action === "create" ? "created" : "changed"} by {versionAuthor(version)}
            </p>
            <VersionChanges version={version} />
            {version.number !== latest && can(PERMISSIONS.changeRules) && !rule.provisioned && (
              <button
                type="button"
                className="button button--secondary button--small"
                onClick={() => {
                  setOutcome(null);
                  setAsking(version);
                }}
              >
                Restore this version
              </button>
            )}
          </li>
        ))}
      </ol>
    );
  }

  return (
    <section className="panel" aria-labelledby="rule-versions-heading" id="versions">
      <h2 id="rule-versions-heading">Versions</h2>
      <div role="status" className="outcome">
        {outcome?.kind === "success" && <p className="notice notice--success">{outcome.message}</p>}
      </div>
      {outcome?.kind === "failure" && (
        <p className="notice notice--error" role="alert">
          {outcome.message}
        </p>
      )}
      {body}
      {asking && (
        <ConfirmDialog
          title={`Restore version ${asking.number} of “${rule.name}”?`}
          confirmLabel={restore.isPending ? "Restoring…" : "Restore this version"}
          busy={restore.isPending}
          onCancel={() => {
            setAsking(null);
          }}
          onConfirm={() => {
            const number = asking.number;
            restore.mutate(number, {
              onSuccess: () => {
                setAsking(null);
                setOutcome({ kind: "success", message: `Restored version ${number}: it is evaluated from the next minute.` });
              },
              onError: (error: ApiError) => {
                setAsking(null);
                setOutcome({ kind: "failure", message: `Could not restore version ${number}: ${error.message}` });
              },
            });
          }}
        >
          <p>The rule's settings become those of version {asking.number}; this is recorded as a new version, by you.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
