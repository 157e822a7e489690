import type { ReactNode } from "react";

interface EmptyStateProps {
  title: string;
  children?: ReactNode;
}

/** Says that a list or chart has nothing to show, and why, instead of showing nothing. */
export function EmptyState({ title, children }: EmptyStateProps) {
  return (
    <div className="state state--empty">
      <p className="state__empty-title">{title}</p>
      {children}
    </div>
  );
}
