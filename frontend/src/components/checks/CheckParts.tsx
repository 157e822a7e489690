import { useState } from "react";
import type { CheckRun, CheckStatus } from "../../types/checks";
import { CHECK_STATUS_LABELS, curlExamples, responseTimeText } from "./checkText";

/** Up, down or unknown, in words and colour. */
export function CheckStatusChip({ status }: { status: CheckStatus }) {
  return <span className={`badge badge--check-${status}`}>{CHECK_STATUS_LABELS[status]}</span>;
}

const SPARK_WIDTH = 120;
const SPARK_HEIGHT = 28;

/**
 * The response times of the last runs as a small line, a red tick for each run that was down.
 * Its label says the same in words for those who do not see it.
 */
export function Sparkline({ runs, name }: { runs: readonly CheckRun[]; name: string }) {
  const times = runs.map((run) => run.response_time_ms).filter((ms): ms is number => ms !== null);
  if (runs.length === 0) {
    return <span className="muted">No runs yet</span>;
  }
  const max = Math.max(1, ...times);
  const step = runs.length > 1 ? SPARK_WIDTH / (runs.length - 1) : 0;
  const x = (index: number) => (runs.length > 1 ? index * step : SPARK_WIDTH / 2);
  const y = (ms: number) => SPARK_HEIGHT - 2 - (ms / max) * (SPARK_HEIGHT - 4);
  const segments: string[] = [];
  let current = "";
  runs.forEach((run, index) => {
    if (run.response_time_ms === null) {
      if (current) segments.push(current);
      current = "";
      return;
    }
    current += `${current ? "L" : "M"}${x(index).toFixed(1)},${y(run.response_time_ms).toFixed(1)}`;
  });
  if (current) segments.push(current);
  const down = runs.filter((run) => !run.up).length;
  const summary =
    times.length > 0
      ? `Response time of ${name} over the last ${runs.length} runs: ${responseTimeText(Math.min(...times))} to ${responseTimeText(max)}${down ? `, ${down} down` : ""}`
      : `${name}: no response times in the last ${runs.length} runs${down ? `, ${down} down` : ""}`;
  return (
    <svg
      className="sparkline"
      width={SPARK_WIDTH}
      height={SPARK_HEIGHT}
      viewBox={`0 0 ${SPARK_WIDTH} ${SPARK_HEIGHT}`}
      role="img"
      aria-label={summary}
    >
      {segments.map((d) => (
        <path key={d} d={d} fill="none" stroke="var(--chart-1)" strokeWidth={1.5} />
      ))}
      {runs.map((run, index) =>
        run.up ? null : (
          <line
            // Runs are in order; the index is their identity here.
            key={`${run.at}-${index}`}
            x1={x(index)}
            x2={x(index)}
            y1={0}
            y2={SPARK_HEIGHT}
            stroke="var(--danger)"
            strokeWidth={2}
          />
        ),
      )}
    </svg>
  );
}

/** A line of text to copy, with a button that copies it (and says so). */
export function CopyLine({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  return (
    <div className="copy-line">
      <code className="copy-line__text">{text}</code>
      <button
        type="button"
        className="button button--secondary button--small"
        aria-label={`Copy ${label}`}
        onClick={() => {
          const clipboard = typeof navigator !== "undefined" ? navigator.clipboard : undefined;
          if (!clipboard) {
            setCopied("failed");
            return;
          }
          clipboard.writeText(text).then(
            () => {
              setCopied("yes");
            },
            () => {
              setCopied("failed");
            },
          );
        }}
      >
        Copy
      </button>
      <span role="status" className="muted copy-line__status">
        {copied === "yes" ? "Copied." : copied === "failed" ? "Could not copy: select the text instead." : ""}
      </span>
    </div>
  );
}

/** A heartbeat's ping URL and the curl lines that ping it. */
export function PingUrls({ pingUrl, name }: { pingUrl: string; name: string }) {
  return (
    <section className="ping-urls" aria-label={`Ping URL of ${name}`}>
      <h3 className="ping-urls__title">Ping URL</h3>
      <p className="muted">
        The job calls this address (GET, HEAD or POST, no sign-in: the address is the secret) each time it has run.
        No ping within the period and grace is down; a ping to <code>/fail</code> is down at once.
      </p>
      <CopyLine text={pingUrl} label="the ping URL" />
      <ul className="ping-urls__examples" aria-label="curl examples">
        {curlExamples(pingUrl).map((example) => (
          <li key={example.command}>
            <span className="muted">{example.label}</span>
            <CopyLine text={example.command} label={`the command: ${example.label.toLowerCase()}`} />
          </li>
        ))}
      </ul>
    </section>
  );
}
