import type { ApiError } from "../../api/client";
import type { TestSendResult } from "../../types/alerts";

/** What a test send came to, in words: 200 sent, 400 not configured or invalid, 502 refused, 429. */
export function describeTestFailure(error: ApiError): string {
  if (error.status === 429) {
    return error.retryAfterSeconds !== null
      ? `Too many test sends: try again in ${error.retryAfterSeconds} s.`
      : `Too many test sends: ${error.message}`;
  }
  if (error.status === 502) return `Refused: ${error.message}`;
  if (error.status === 400 && Object.keys(error.fieldErrors).length > 0) return "Not sent: check the fields.";
  if (error.status === 400) return `Not sent: ${error.message}`;
  return `Not sent: ${error.message}`;
}

/** A test send's outcome, announced: the receiver's answer (and reply code), or why it was not sent. */
export function Outcome({ result, error }: { result: TestSendResult | undefined; error: ApiError | null }) {
  return (
    <div className="test-send__outcome" aria-live="polite">
      {result && (
        <p className="notice notice--success">
          {result.detail}
          {result.delivery?.response_code != null && ` (reply ${result.delivery.response_code})`}
        </p>
      )}
      {error && <p className="notice notice--error">{describeTestFailure(error)}</p>}
    </div>
  );
}
