import { useId, useState, type ReactNode } from "react";
import { useSearchParams } from "react-router";
import { ByMetric, FrequencyChart, NotificationTable, perDay, perHour, SeverityBreakdown, TopRules } from "../components/alerts/StatsBlocks";
import { LoadingState } from "../components/ui/LoadingState";
import { QueryError } from "../components/ui/QueryError";
import { useAlertStats } from "../hooks/alerts/useStats";
import { usePageTitle } from "../hooks/usePageTitle";
import { positiveInteger } from "../lib/listPages";
import { formatDateTime, formatDuration } from "../lib/format";
import { plural } from "../lib/text";
import type { AlertStats } from "../types/alerts";

const DEFAULT_DAYS = 7;
const MAX_DAYS = 90;
const PRESETS = [1, 7, 30, 90] as const;
/** Per hour is offered up to a week: beyond that the bars are too thin to read. */
const MAX_DAYS_PER_HOUR = 7;

function RangeSelector({ days, onChange }: { days: number; onChange: (days: number) => void }) {
  const name = useId();
  const [other, setOther] = useState(PRESETS.some((preset) => preset === days) ? "" : String(days));
  const otherId = `${name}-other`;
  const applyOther = () => {
    const value = positiveInteger(other.trim(), MAX_DAYS);
    if (value !== undefined) onChange(value);
  };
  return (
    <div className="range-selector">
      <fieldset className="segmented">
        <legend className="segmented__legend">Period</legend>
        <div className="segmented__options">
          {PRESETS.map((preset) => (
            <label key={preset} className="segmented__option">
              <input
                type="radio"
                name={name}
                value={preset}
                checked={days === preset}
                onChange={() => {
                  setOther("");
                  onChange(preset);
                }}
              />
              <span>
                {preset} d <span className="visually-hidden">(the last {plural(preset, "day")})</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <form
        className="field field--inline"
        onSubmit={(event) => {
          event.preventDefault();
          applyOther();
        }}
      >
        <label htmlFor={otherId} className="field__label">
          Other (1–{MAX_DAYS} days)
        </label>
        <input
          id={otherId}
          className="field__input field__input--narrow"
          inputMode="numeric"
          value={other}
          onChange={(event) => {
            setOther(event.target.value);
          }}
        />
        <button type="submit" className="button button--secondary button--small">
          Show
        </button>
      </form>
    </div>
  );
}

function Figure({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="figure">
      <dt className="figure__label">{label}</dt>
      <dd className="figure__value">{children}</dd>
    </div>
  );
}

function duration(seconds: number | null): string {
  return seconds === null ? "—" : formatDuration(seconds);
}

function Summary({ stats }: { stats: AlertStats }) {
  return (
    <dl className="figures">
      <Figure label="Alerts triggered">{stats.total}</Figure>
      <Figure label="Of those, by hand">{stats.manual}</Figure>
      <Figure label="Still open of those">{stats.by_status.active}</Figure>
      <Figure label="Open now (any time)">{stats.open_now}</Figure>
      <Figure label="Resolved in the period">{stats.resolved_in_period}</Figure>
      <Figure label="Mean time to resolve">{duration(stats.mean_time_to_resolve_seconds)}</Figure>
      <Figure label="Acknowledged in the period">{stats.acknowledged_in_period}</Figure>
      <Figure label="Mean time to acknowledge">{duration(stats.mean_time_to_acknowledge_seconds)}</Figure>
      <Figure label="Time to acknowledge, 90th percentile">{duration(stats.p90_time_to_acknowledge_seconds)}</Figure>
    </dl>
  );
}

function Panel({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="panel" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

/** Alert statistics over the last 1 to 90 days (`GET /api/alerts/stats/?days=N`), the period in the address. */
export function StatisticsPage() {
  usePageTitle("Statistics");
  const [searchParams, setSearchParams] = useSearchParams();
  const days = positiveInteger(searchParams.get("days"), MAX_DAYS) ?? DEFAULT_DAYS;
  const perHourAllowed = days <= MAX_DAYS_PER_HOUR;
  const by = searchParams.get("by") === "hour" && perHourAllowed ? "hour" : searchParams.get("by") === "day" ? "day" : days <= 2 ? "hour" : "day";
  const stats = useAlertStats(days);
  const byId = useId();

  const setParam = (name: string, value: string | null) => {
    setSearchParams(
      (params) => {
        if (value === null) params.delete(name);
        else params.set(name, value);
        return params;
      },
      { replace: true },
    );
  };

  let body;
  if (stats.isPending) {
    body = <LoadingState label="Loading the statistics…" />;
  } else if (stats.isError && !stats.data) {
    body = <QueryError error={stats.error} what="the alert statistics" onRetry={() => void stats.refetch()} />;
  } else {
    const data = stats.data;
    body = (
      <div className={`page-sections${stats.isPlaceholderData ? " is-busy" : ""}`}>
        {stats.isError && (
          <p className="notice notice--warning" role="alert">
            Could not load the last {plural(days, "day")} ({stats.error.message}). Showing the previous period.
          </p>
        )}
        <p className="muted section__note">
          Alerts triggered from <time dateTime={data.since}>{formatDateTime(data.since)}</time> to{" "}
          <time dateTime={data.until}>{formatDateTime(data.until)}</time> (the last {plural(data.days, "day")}).
        </p>
        <Summary stats={data} />
        <section className="section" aria-labelledby="frequency-heading">
          <div className="section__header">
            <h2 id="frequency-heading" className="section__title">
              Frequency
            </h2>
            <fieldset className="segmented">
              <legend className="segmented__legend">Count</legend>
              <div className="segmented__options">
                {(["day", "hour"] as const).map((unit) => (
                  <label key={unit} className="segmented__option">
                    <input
                      type="radio"
                      name={byId}
                      value={unit}
                      checked={by === unit}
                      disabled={unit === "hour" && !perHourAllowed}
                      onChange={() => {
                        setParam("by", unit);
                      }}
                    />
                    <span>Per {unit}</span>
                  </label>
                ))}
              </div>
            </fieldset>
          </div>
          {!perHourAllowed && <p className="muted section__note">Per hour is shown for periods of up to {MAX_DAYS_PER_HOUR} days.</p>}
          <FrequencyChart points={by === "hour" ? perHour(data) : perDay(data)} unit={by} />
        </section>
        <div className="stats-grid">
          <Panel id="severity-heading" title="By severity">
            <SeverityBreakdown stats={data} />
          </Panel>
          <Panel id="rules-heading" title="Rules that fired most">
            <TopRules stats={data} />
          </Panel>
          <Panel id="metrics-heading" title="By metric">
            <ByMetric stats={data} />
          </Panel>
        </div>
        <Panel id="channels-heading" title="Notifications by channel">
          <p className="muted">
            Alert notifications (alerts, reminders, resolutions) created in the period. The success rate is sent out of
            sent and failed.
          </p>
          <NotificationTable channels={data.notifications} />
        </Panel>
      </div>
    );
  }

  return (
    <>
      <div className="page-header page-header--split">
        <div className="page-header__text">
          <h1>Statistics</h1>
          <p className="muted">How often alerts fire, which rules and metrics they come from, and how fast they are resolved.</p>
        </div>
        <RangeSelector
          days={days}
          onChange={(next) => {
            setParam("days", next === DEFAULT_DAYS ? null : String(next));
          }}
        />
      </div>
      <div aria-busy={stats.isFetching}>{body}</div>
    </>
  );
}
