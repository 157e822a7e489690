import { useId } from "react";

export interface ListControlsProps<T extends string> {
  ordering: T;
  orderings: readonly { value: T; label: string }[];
  onOrderingChange: (ordering: T) => void;
  pageSize: number;
  pageSizes: readonly number[];
  onPageSizeChange: (size: number) => void;
}

/** "Sort by" and "Per page" of a paginated list. */
export function ListControls<T extends string>({
  ordering,
  orderings,
  onOrderingChange,
  pageSize,
  pageSizes,
  onPageSizeChange,
}: ListControlsProps<T>) {
  const id = useId();
  return (
    <div className="list-controls">
      <div className="field field--inline">
        <label htmlFor={`${id}-ordering`} className="field__label">
          Sort by
        </label>
        <select
          id={`${id}-ordering`}
          className="field__input"
          value={ordering}
          onChange={(event) => {
            const choice = orderings.find((option) => option.value === event.target.value);
            if (choice) onOrderingChange(choice.value);
          }}
        >
          {orderings.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field field--inline">
        <label htmlFor={`${id}-size`} className="field__label">
          Per page
        </label>
        <select
          id={`${id}-size`}
          className="field__input"
          value={pageSize}
          onChange={(event) => {
            onPageSizeChange(Number(event.target.value));
          }}
        >
          {pageSizes.map((size) => (
            <option key={size} value={size}>
              {size}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
