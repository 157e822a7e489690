import type { ReactNode } from "react";

/** One term and its value in a description list (`<dl>`) of facts about a rule, an alert or an error. */
export function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}
