import { ApiError } from "../../api/client";
import { ErrorState } from "./ErrorState";

interface QueryErrorProps {
  error: Error;
  /** What could not be loaded, e.g. "the alert history". */
  what: string;
  onRetry?: () => void;
}

/**
 * Why something could not be loaded. A 403 says plainly that the user may not see it (trying again
 * will not help); a 404 that it does not exist; anything else offers another try.
 */
export function QueryError({ error, what, onRetry }: QueryErrorProps) {
  if (error instanceof ApiError && error.status === 403) {
    return (
      <ErrorState
        title={`You do not have permission to see ${what}`}
        message="Your account is not allowed to read this. An administrator can add you to the “Alert viewers” group."
      />
    );
  }
  if (error instanceof ApiError && error.status === 404) {
    return <ErrorState title={`There is no such thing as ${what}`} message="It may have been deleted." />;
  }
  return <ErrorState title={`Could not load ${what}`} message={error.message} {...(onRetry ? { onRetry } : {})} />;
}

/** A section the user may not read at all, said before asking the server. */
export function NotPermitted({ what }: { what: string }) {
  return (
    <div className="state state--empty">
      <p className="state__empty-title">You do not have permission to see {what}.</p>
      <p className="muted">An administrator can add you to the “Alert viewers” group.</p>
    </div>
  );
}
