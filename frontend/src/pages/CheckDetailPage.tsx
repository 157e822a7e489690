import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { Line, LineChart } from "recharts";
import { CheckFormDialog, headersText } from "../components/checks/CheckFormDialog";
import { CheckStatusChip, PingUrls } from "../components/checks/CheckParts";
import { CHECK_KIND_LABELS, checkTarget, responseTimeText, uptimeText } from "../components/checks/checkText";
import { ChartAxes } from "../components/ui/ChartAxes";
import { ConfirmDialog } from "../components/ui/ConfirmDialog";
import { Fact } from "../components/ui/Fact";
import { LoadingState } from "../components/ui/LoadingState";
import { QueryError } from "../components/ui/QueryError";
import { PERMISSIONS, useCan } from "../hooks/auth/permissions";
import { useCheck, useCheckResults, useDeleteCheck, useRunCheck } from "../hooks/monitoring/useChecks";
import { usePageTitle } from "../hooks/usePageTitle";
import { formatDuration, formatInstant, timeZoneLabel } from "../lib/format";
import { idParam, paths, ruleDetailPath } from "../routes/paths";
import type { Check, CheckResult } from "../types/checks";
import { When } from "./ChecksPage";

function Settings({ check }: { check: Check }) {
  return (
    <dl className="facts facts--grid" aria-label="Settings">
      <Fact term="Kind">{CHECK_KIND_LABELS[check.kind]}</Fact>
      <Fact term="Active">{check.is_active ? "Yes" : "No (not run, not judged)"}</Fact>
      {check.kind === "http" && (
        <>
          <Fact term="URL">
            {check.method} <code>{check.url}</code>
          </Fact>
          <Fact term="Expected status">{check.expected_status}</Fact>
          {check.body_contains && (
            <Fact term={check.body_regex ? "Body matches" : "Body contains"}>
              <code>{check.body_contains}</code>
            </Fact>
          )}
          <Fact term="Follow redirects">{check.follow_redirects ? "Yes" : "No"}</Fact>
          <Fact term="Verify TLS">{check.verify_tls ? "Yes" : "No"}</Fact>
          {Object.keys(check.headers).length > 0 && (
            <Fact term="Headers">
              <pre className="check-headers">{headersText(check.headers)}</pre>
            </Fact>
          )}
        </>
      )}
      {check.kind === "tcp" && <Fact term="Address">{checkTarget(check)}</Fact>}
      {check.kind !== "heartbeat" && (
        <>
          <Fact term="Interval">{formatDuration(check.interval_seconds)}</Fact>
          <Fact term="Timeout">{formatDuration(check.timeout_seconds)}</Fact>
        </>
      )}
      {check.kind === "heartbeat" &&
        (check.cron ? (
          <Fact term="Schedule">
            <code>{check.cron}</code> ({check.time_zone})
          </Fact>
        ) : (
          <Fact term="Period">{formatDuration(check.period_seconds)}</Fact>
        ))}
      {check.kind === "heartbeat" && <Fact term="Grace">{formatDuration(check.grace_seconds)}</Fact>}
    </dl>
  );
}

function ResponseTimeChart({ results, name }: { results: readonly CheckResult[]; name: string }) {
  const points = [...results]
    .reverse()
    .map((result) => ({ t: new Date(result.at).getTime(), v: result.response_time_ms }));
  if (points.length === 0) {
    return <p className="muted">No runs yet.</p>;
  }
  return (
    <figure className="points-chart" aria-label={`Response time of ${name}`}>
      <figcaption className="points-chart__caption">
        Response time, last {points.length} runs <span className="muted">(times in {timeZoneLabel(points.at(-1)?.t)})</span>
      </figcaption>
      <div className="chart__plot chart__plot--small" aria-hidden="true">
        <LineChart data={points} responsive style={{ width: "100%", height: "100%" }} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <ChartAxes
            unit="ms"
            formatTime={(t) => formatInstant(t, { style: "time", zone: false })}
            formatTooltipTime={(t) => formatInstant(t, { style: "time" })}
          />
          <Line dataKey="v" name="response time" type="linear" stroke="var(--chart-1)" strokeWidth={2} dot={false} connectNulls={false} isAnimationActive={false} />
        </LineChart>
      </div>
    </figure>
  );
}

function ResultsTable({ results }: { results: readonly CheckResult[] }) {
  if (results.length === 0) return <p className="muted">No results yet.</p>;
  return (
    <div className="table-scroll table-scroll--short" role="region" aria-label="Results" tabIndex={0}>
      <table className="table table--compact">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Result</th>
            <th scope="col" className="numeric">
              Response time
            </th>
            <th scope="col" className="numeric">
              Status code
            </th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {results.map((result, index) => (
            <tr key={`${result.at}-${index}`}>
              <th scope="row">
                <time dateTime={result.at}>{formatInstant(result.at)}</time>
              </th>
              <td>{result.up ? <span className="badge badge--check-up">Up</span> : <span className="badge badge--check-down">Down</span>}</td>
              <td className="numeric">{responseTimeText(result.response_time_ms)}</td>
              <td className="numeric">{result.status_code ?? ""}</td>
              <td>{result.error}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One check: its settings, state, uptime, response times, results, rule and (heartbeats) ping URLs. */
export function CheckDetailPage() {
  const id = idParam(useParams().id);
  const can = useCan();
  const navigate = useNavigate();
  const check = useCheck(id);
  const results = useCheckResults(id);
  const run = useRunCheck();
  const remove = useDeleteCheck();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [notice, setNotice] = useState<{ text: string; error: boolean } | null>(null);
  usePageTitle(check.data ? `Check ${check.data.name}` : "Check");

  if (!can(PERMISSIONS.viewChecks)) {
    return <p className="notice notice--warning">You may not see the checks.</p>;
  }
  if (check.isPending) return <LoadingState label="Loading the check…" />;
  if (check.isError) {
    return <QueryError error={check.error} what="this check" onRetry={() => void check.refetch()} />;
  }
  const data = check.data;
  const mayChange = can(PERMISSIONS.changeChecks);
  return (
    <>
      <p>
        <Link to={paths.checks}>← All checks</Link>
      </p>
      <div className="page-header page-header--split">
        <div>
          <h1>{data.name}</h1>
          <p>
            <CheckStatusChip status={data.status} />{" "}
            {data.status_since ? (
              <>
                since <When iso={data.status_since} />
              </>
            ) : (
              <span className="muted">not judged yet</span>
            )}
          </p>
          {data.last_error && <p className="notice notice--error">{data.last_error}</p>}
          {data.provisioned && <p className="muted">Provisioned from {data.provisioned}: read-only.</p>}
        </div>
        <div className="row-actions">
          {mayChange && data.kind !== "heartbeat" && (
            <button
              type="button"
              className="button button--secondary"
              disabled={run.isPending}
              onClick={() => {
                setNotice(null);
                run.mutate(data.id, {
                  onSuccess: (ran) => {
                    setNotice({ text: `Ran it: ${ran.status}.`, error: false });
                  },
                  onError: (error) => {
                    setNotice({ text: `Could not run it: ${error.message}`, error: true });
                  },
                });
              }}
            >
              {run.isPending ? "Running…" : "Run now"}
            </button>
          )}
          {mayChange && !data.provisioned && (
            <button type="button" className="button button--secondary" onClick={() => { setEditing(true); }}>
              Edit
            </button>
          )}
          {can(PERMISSIONS.deleteChecks) && !data.provisioned && (
            <button type="button" className="button button--danger-outline" onClick={() => { setDeleting(true); }}>
              Delete
            </button>
          )}
        </div>
      </div>
      <div aria-live="polite">
        {notice && (
          <p className={`notice ${notice.error ? "notice--error" : "notice--success"}`} role="status">
            {notice.text}
          </p>
        )}
      </div>
      <div className="section">
        {data.kind === "heartbeat" && data.ping_url && <PingUrls pingUrl={data.ping_url} name={data.name} />}
        <section className="panel" aria-labelledby="check-state">
          <h2 id="check-state">State</h2>
          <dl className="facts facts--grid">
            <Fact term="Uptime 24 h">{uptimeText(data.uptime["24h"])}</Fact>
            <Fact term="Uptime 7 d">{uptimeText(data.uptime["7d"])}</Fact>
            <Fact term="Uptime 30 d">{uptimeText(data.uptime["30d"])}</Fact>
            {data.kind === "heartbeat" ? (
              <Fact term="Last ping">
                <When iso={data.last_ping_at} />
              </Fact>
            ) : (
              <>
                <Fact term="Last checked">
                  <When iso={data.last_checked_at} />
                </Fact>
                <Fact term="Last response time">{responseTimeText(data.last_response_time_ms)}</Fact>
              </>
            )}
            {data.cert_days_left !== null && <Fact term="Certificate expires in">{data.cert_days_left} days</Fact>}
            <Fact term="Rule">
              {data.rule_id !== null ? <Link to={ruleDetailPath(data.rule_id)}>{data.name} is down</Link> : <span className="muted">none</span>}
            </Fact>
          </dl>
        </section>
        <section className="panel" aria-labelledby="check-settings">
          <h2 id="check-settings">Settings</h2>
          <Settings check={data} />
        </section>
        <section className="panel" aria-labelledby="check-history">
          <h2 id="check-history">History</h2>
          {results.isPending ? (
            <LoadingState label="Loading the results…" />
          ) : results.isError ? (
            <QueryError error={results.error} what="the results" onRetry={() => void results.refetch()} />
          ) : (
            <>
              {data.kind !== "heartbeat" && <ResponseTimeChart results={results.data} name={data.name} />}
              <ResultsTable results={results.data} />
            </>
          )}
        </section>
      </div>
      {editing && (
        <CheckFormDialog
          check={data}
          onCancel={() => { setEditing(false); }}
          onDone={(saved) => {
            setNotice({ text: `Saved check ${saved.name}.`, error: false });
            setEditing(false);
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete check ${data.name}?`}
          confirmLabel="Delete check"
          destructive
          busy={remove.isPending}
          onCancel={() => { setDeleting(false); }}
          onConfirm={() => {
            remove.mutate(data.id, {
              onSuccess: () => {
                void navigate(paths.checks);
              },
              onError: (error) => {
                setNotice({ text: `Could not delete it: ${error.message}`, error: true });
                setDeleting(false);
              },
            });
          }}
        >
          Its results go with it{data.rule_id !== null ? `, and so does its rule “${data.name} is down”` : ""}.
        </ConfirmDialog>
      )}
    </>
  );
}
