import { useSelfHealth } from "../../hooks/useSelfHealth";

/**
 * Resee's own health (`GET /api/monitoring/self-health/`, asked every 30 s): when it is not ok, a
 * banner above every page says each problem. Nothing when it is ok, when the server has no such
 * endpoint (404) or when the question itself failed (the pages say that the server is unreachable).
 */
export function SelfHealthBanner() {
  const health = useSelfHealth();
  const problems = health.data && !health.data.ok ? health.data.problems : [];
  return (
    <div aria-live="assertive" className="self-health">
      {health.data && !health.data.ok && (
        <div className="self-health__banner container" role="alert">
          <strong>Resee itself needs attention: alerts may not be evaluated or delivered.</strong>
          {problems.length > 0 ? (
            <ul className="self-health__problems">
              {problems.map((problem, index) => (
                <li key={`${problem.kind}-${index}`}>{problem.text}</li>
              ))}
            </ul>
          ) : (
            <p>The server reports a problem with its own health.</p>
          )}
        </div>
      )}
    </div>
  );
}
