import { useMetricHealth } from "../../hooks/useAlertingState";
import { PERMISSIONS, useCan } from "../../hooks/auth/permissions";
import { useOverview } from "../../hooks/monitoring/useMonitoring";
import { formatDateTime, formatValue } from "../../lib/format";
import { cardHealth } from "./metricHealth";
import type { MetricHealthEntry } from "../../types/alerts";
import type { Aggregation, MetricReading } from "../../types/monitoring";
import { EmptyState } from "../ui/EmptyState";
import { ErrorState } from "../ui/ErrorState";
import { LoadingState } from "../ui/LoadingState";
import { OpenAlertsCard } from "./OpenAlertsCard";
import { SystemStatusCard, type StatusReading } from "./SystemStatusCard";

/** The window of the status cards' values. */
export const OVERVIEW_MINUTES = 5;

/**
 * The cards (`card`) or charts (`chart`) the catalogue places these metrics on: one per title,
 * ordered by their metrics' order, each with its metrics in that order. No list of names here: the
 * API's catalogue says what is shown where.
 */
export function dashboardGroups(
  metrics: readonly MetricReading[],
  place: "card" | "chart",
): { title: string; metrics: MetricReading[] }[] {
  const placed = metrics.flatMap((metric) => {
    const placement = metric[place];
    return placement ? [{ metric, placement }] : [];
  });
  placed.sort((a, b) => a.placement.order - b.placement.order);
  const groups = new Map<string, MetricReading[]>();
  for (const { metric, placement } of placed) {
    const group = groups.get(placement.title);
    if (group) group.push(metric);
    else groups.set(placement.title, [metric]);
  }
  return [...groups].map(([title, grouped]) => ({ title, metrics: grouped }));
}

const AGGREGATION_TEXT: Record<Aggregation, string> = {
  avg: "average",
  min: "lowest",
  max: "highest",
  sum: "total",
  last: "latest",
  count: "distinct",
  p95: "95th percentile",
};

function toReading(metric: MetricReading, minutes: number): StatusReading {
  return {
    name: metric.name,
    label: metric.label,
    value: metric.no_data || metric.value === null ? null : formatValue(metric.value, metric.unit),
    note: `${AGGREGATION_TEXT[metric.default_aggregation]}, last ${minutes} min`,
  };
}

interface StatusCardListProps {
  metrics: readonly MetricReading[];
  minutes: number;
  /** Each watched metric's health; undefined while it is not known (cards stay neutral). */
  health: readonly MetricHealthEntry[] | undefined;
  /** Whether to show the open alerts card first. */
  openAlerts: boolean;
}

function StatusCardList({ metrics, minutes, health, openAlerts }: StatusCardListProps) {
  const healthByName = new Map((health ?? []).map((entry) => [entry.metric_name, entry]));
  const cards = dashboardGroups(metrics, "card").map((card) => {
    const judged = cardHealth(card.metrics.flatMap((metric) => healthByName.get(metric.name) ?? []));
    return {
      title: card.title,
      readings: card.metrics.map((metric) => toReading(metric, minutes)),
      health: judged?.health,
      healthDetail: judged?.detail,
    };
  });
  return (
    <>
      {(openAlerts || cards.length > 0) && (
        <ul className="metric-grid">
          {openAlerts && (
            <li>
              <OpenAlertsCard />
            </li>
          )}
          {cards.map((card) => (
            <li key={card.title}>
              {/* Coloured by the active rules on the card's metrics; neutral where no rule watches them. */}
              <SystemStatusCard
                title={card.title}
                readings={card.readings}
                health={card.health}
                healthDetail={card.healthDetail}
              />
            </li>
          ))}
        </ul>
      )}
      {cards.length === 0 && <EmptyState title="The server reported none of the dashboard's metrics." />}
    </>
  );
}

/** The status cards: each part of the system's numbers over the last few minutes. */
export function StatusOverview() {
  const overview = useOverview(OVERVIEW_MINUTES);
  const can = useCan();
  const health = useMetricHealth({ enabled: can(PERMISSIONS.viewRules) });

  let body;
  if (overview.isPending) {
    body = <LoadingState label="Loading current status…" />;
  } else if (overview.isError && !overview.data) {
    body = (
      <ErrorState
        title="Could not load the current status"
        message={overview.error.message}
        onRetry={() => void overview.refetch()}
      />
    );
  } else {
    const { data } = overview;
    body = (
      <>
        {overview.isError && (
          <p className="notice notice--warning" role="alert">
            The last refresh failed ({overview.error.message}). Showing the previous values.
          </p>
        )}
        <p className="muted section__note">
          Values over the last {data.window_minutes} minutes, computed{" "}
          <time dateTime={data.generated_at}>{formatDateTime(data.generated_at)}</time>. A card is coloured by the
          active alert rules on its metrics; one without rules stays grey.
        </p>
        {health.isError && (
          <p className="notice notice--warning" role="alert">
            {health.data
              ? `The alert rules' verdicts could not be refreshed (${health.error.message}); the colours are the previous ones.`
              : `The alert rules' verdicts could not be loaded (${health.error.message}); the cards are not coloured.`}
          </p>
        )}
        <StatusCardList
          metrics={data.metrics}
          minutes={data.window_minutes}
          health={health.data?.metrics}
          openAlerts={can(PERMISSIONS.viewAlerts)}
        />
      </>
    );
  }

  return (
    <section className="section" aria-labelledby="status-heading" aria-busy={overview.isFetching}>
      <h2 id="status-heading" className="section__title">
        Current status
      </h2>
      {body}
    </section>
  );
}
