import { useId, useState } from "react";
import { useEndpointStats } from "../../hooks/monitoring/useMonitoring";
import { formatNumber, formatValue } from "../../lib/format";
import type { TimeRange } from "../../lib/timeRanges";
import type { EndpointOrdering, EndpointStat } from "../../types/monitoring";
import { EmptyState } from "../ui/EmptyState";
import { ErrorState } from "../ui/ErrorState";
import { LoadingState } from "../ui/LoadingState";

/** The API ranks routes over at most a day. */
export const ENDPOINTS_MAX_MINUTES = 1440;
const ROUTES_SHOWN = 10;

/** The orders offered, in this order. */
const ORDERING_LABELS = {
  p95_ms: "95th percentile response time",
  avg_ms: "average response time",
  max_ms: "slowest single request",
  error_rate: "5xx rate",
  status_5xx: "5xx answers",
  status_4xx: "4xx answers",
  count: "requests",
} as const satisfies Partial<Record<EndpointOrdering, string>>;
type OfferedOrdering = keyof typeof ORDERING_LABELS;
const ORDERINGS = Object.keys(ORDERING_LABELS) as OfferedOrdering[];

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function isOrdering(value: string): value is OfferedOrdering {
  return (ORDERINGS as readonly string[]).includes(value);
}

function Missing() {
  return (
    <>
      <span aria-hidden="true">—</span>
      <span className="visually-hidden">no data</span>
    </>
  );
}

function Cell({ value, unit }: { value: number | null; unit: string }) {
  return <td className="numeric">{value === null ? <Missing /> : formatValue(value, unit)}</td>;
}

function RouteRows({ routes }: { routes: readonly EndpointStat[] }) {
  return (
    <tbody>
      {routes.map((route) => (
        <tr key={`${route.service} ${route.method} ${route.route}`}>
          <th scope="row" className="route-cell">
            <span className="service">{route.service}</span> <span className="method">{route.method}</span>{" "}
            <code>{route.route}</code>
          </th>
          <td className="numeric">{formatNumber(route.count)}</td>
          <td className="numeric">{formatNumber(route.status_5xx)}</td>
          <td className="numeric">{formatNumber(route.status_4xx)}</td>
          <Cell value={route.error_rate} unit="%" />
          <Cell value={route.avg_ms} unit="ms" />
          <Cell value={route.p95_ms} unit="ms" />
          <Cell value={route.max_ms} unit="ms" />
          <Cell value={route.queries_per_request} unit="" />
        </tr>
      ))}
    </tbody>
  );
}

/** The slowest or most failing API routes over the chosen range (at most the last 24 hours). */
export function EndpointTable({ range }: { range: TimeRange }) {
  const [ordering, setOrdering] = useState<OfferedOrdering>("p95_ms");
  const minutes = Math.min(range.minutes, ENDPOINTS_MAX_MINUTES);
  const stats = useEndpointStats({ minutes, ordering, limit: ROUTES_SHOWN });
  const selectId = useId();
  const captionId = useId();
  const period = minutes < range.minutes ? "the last 24 hours (the longest the API ranks)" : range.description;

  let body;
  if (stats.isPending) {
    body = <LoadingState label="Loading routes…" />;
  } else if (stats.isError && !stats.data) {
    body = (
      <ErrorState title="Could not load the routes" message={stats.error.message} onRetry={() => void stats.refetch()} />
    );
  } else if (stats.data.routes.length === 0) {
    body = <EmptyState title={`No API requests in ${period}.`} />;
  } else {
    body = (
      <>
        {stats.isError && (
          <p className="notice notice--warning" role="alert">
            The last refresh failed ({stats.error.message}). Showing the previous ranking.
          </p>
        )}
        {/* Focusable so that keyboard users can scroll it sideways on a narrow screen. */}
        <div className="table-scroll" role="region" aria-labelledby={captionId} tabIndex={0}>
          <table className="table">
            <caption id={captionId} className="table__caption">
              API routes ranked by {ORDERING_LABELS[ordering]}, {period}
            </caption>
            <thead>
              <tr>
                <th scope="col">Route</th>
                <th scope="col" className="numeric">Requests</th>
                <th scope="col" className="numeric">5xx</th>
                <th scope="col" className="numeric">4xx</th>
                <th scope="col" className="numeric">5xx rate</th>
                <th scope="col" className="numeric">Average</th>
                <th scope="col" className="numeric">95th pct.</th>
                <th scope="col" className="numeric">Slowest</th>
                <th scope="col" className="numeric">Queries / request</th>
              </tr>
            </thead>
            <RouteRows routes={stats.data.routes} />
          </table>
        </div>
      </>
    );
  }

  return (
    <section className="panel" aria-labelledby="routes-heading" aria-busy={stats.isFetching}>
      <div className="panel__header">
        <h3 id="routes-heading" className="panel__title">
          API routes
        </h3>
        <div className="field field--inline">
          <label htmlFor={selectId} className="field__label">
            Rank by
          </label>
          <select
            id={selectId}
            className="field__input"
            value={ordering}
            onChange={(event) => {
              if (isOrdering(event.target.value)) setOrdering(event.target.value);
            }}
          >
            {ORDERINGS.map((value) => (
              <option key={value} value={value}>
                {capitalised(ORDERING_LABELS[value])}
              </option>
            ))}
          </select>
        </div>
      </div>
      {body}
    </section>
  );
}
