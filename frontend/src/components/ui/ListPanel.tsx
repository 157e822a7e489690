import type { ReactNode } from "react";
import { ListControls, type ListControlsProps } from "./ListControls";

interface ListPanelProps<T extends string> {
  headingId: string;
  /** The list's heading: how many there are, once known. */
  title: string;
  /** A page is being fetched. */
  busy: boolean;
  /** Its "Sort by" and "Per page" (`useListPage`'s `controls`). */
  controls: ListControlsProps<T>;
  children: ReactNode;
}

/** The panel of a paginated list: its heading and controls, then the list. */
export function ListPanel<T extends string>({ headingId, title, busy, controls, children }: ListPanelProps<T>) {
  return (
    <section className="panel" aria-labelledby={headingId} aria-busy={busy}>
      <div className="panel__header">
        <h2 id={headingId} className="panel__title">
          {title}
        </h2>
        <ListControls {...controls} />
      </div>
      {children}
    </section>
  );
}
