import type { CheckStatus } from "../../types/monitoring";

interface HealthCheckCardProps {
  label: string;
  description: string;
  status: CheckStatus;
}

const STATUS_TEXT: Record<CheckStatus, string> = {
  ok: "Operational",
  unavailable: "Unavailable",
};

/** One component of the system and whether it answers. The state is in words and an icon shape,
 * not only in colour. */
export function HealthCheckCard({ label, description, status }: HealthCheckCardProps) {
  return (
    <article className={`status-card status-card--${status}`}>
      <h3 className="status-card__label">{label}</h3>
      <p className="status-card__status">
        <span className="status-icon" aria-hidden="true" />
        {STATUS_TEXT[status]}
      </p>
      <p className="status-card__description">{description}</p>
    </article>
  );
}
