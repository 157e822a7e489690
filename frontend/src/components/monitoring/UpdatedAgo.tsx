import { useNow } from "../../hooks/useNow";
import { formatDateTime } from "../../lib/format";

interface UpdatedAgoProps {
  /** Epoch milliseconds of the data shown. */
  timestamp: number;
}

export function formatAge(milliseconds: number): string {
  const seconds = Math.max(0, Math.floor(milliseconds / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  return `${Math.floor(minutes / 60)} h ago`;
}

/** "Updated 12 s ago", ticking every second. Not a live region: it would be read out each tick. */
export function UpdatedAgo({ timestamp }: UpdatedAgoProps) {
  const now = useNow(1000);
  const at = new Date(timestamp);
  return (
    <span className="updated-ago">
      Updated{" "}
      <time dateTime={at.toISOString()} title={formatDateTime(at.toISOString())}>
        {formatAge(now - timestamp)}
      </time>
    </span>
  );
}
