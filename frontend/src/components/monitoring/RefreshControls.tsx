import type { QueryKey } from "@tanstack/react-query";
import { useMemo, useState, type ReactNode } from "react";
import {
  AutoRefreshContext,
  REFRESH_INTERVAL_MS,
  useAutoRefresh,
  usePageQueries,
} from "../../hooks/autoRefresh";
import { formatInstant } from "../../lib/format";
import { UpdatedAgo } from "./UpdatedAgo";

/** Holds the page's one auto-refresh switch; every query hook below it follows it. */
export function AutoRefreshProvider({ children }: { children: ReactNode }) {
  const [paused, setPaused] = useState(false);
  const value = useMemo(() => ({ paused, setPaused }), [paused]);
  return <AutoRefreshContext value={value}>{children}</AutoRefreshContext>;
}

/**
 * How fresh the page's data is (the oldest of it), whether it refreshes itself, a pause button and
 * a refresh button. What the user does here is announced; the periodic refresh is not, so that a
 * screen reader is not interrupted every 30 s (panels announce failures themselves).
 */
export function RefreshControls({ queryPrefixes }: { queryPrefixes: readonly QueryKey[] }) {
  const { paused, setPaused } = useAutoRefresh();
  const { oldestUpdate, fetching, refresh } = usePageQueries(queryPrefixes);
  const [announcement, setAnnouncement] = useState("");
  const seconds = REFRESH_INTERVAL_MS / 1000;

  return (
    <div className="refresh-controls">
      <p className="refresh-controls__meta">
        {oldestUpdate > 0 && <UpdatedAgo timestamp={oldestUpdate} />}
        <span className="muted">{paused ? "Auto-refresh paused" : `Auto-refresh every ${seconds} s`}</span>
      </p>
      <div className="panel__actions">
        <button
          type="button"
          className="button button--secondary button--small"
          onClick={() => {
            setPaused(!paused);
            setAnnouncement(paused ? `Auto-refresh resumed: every ${seconds} s.` : "Auto-refresh paused.");
          }}
        >
          {paused ? "Resume auto-refresh" : "Pause auto-refresh"}
        </button>
        <button
          type="button"
          className="button button--secondary button--small"
          // aria-disabled rather than disabled: a disabled button would drop the keyboard focus.
          aria-disabled={fetching}
          onClick={() => {
            if (fetching) return;
            setAnnouncement("Refreshing…");
            void refresh().then(() => {
              setAnnouncement(`Refreshed at ${formatInstant(new Date(), { style: "time" })}.`);
            });
          }}
        >
          {fetching ? "Refreshing…" : "Refresh now"}
        </button>
      </div>
      <p className="visually-hidden" role="status">
        {announcement}
      </p>
    </div>
  );
}
