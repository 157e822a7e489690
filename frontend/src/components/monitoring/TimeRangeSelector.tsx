import { useId } from "react";
import { TIME_RANGES, type TimeRange, type TimeRangeId } from "../../lib/timeRanges";

interface TimeRangeSelectorProps {
  value: TimeRange;
  onChange: (id: TimeRangeId) => void;
}

/** Radio buttons drawn as a segmented control: one tab stop, arrow keys move between ranges. */
export function TimeRangeSelector({ value, onChange }: TimeRangeSelectorProps) {
  const name = useId();
  return (
    <fieldset className="segmented">
      <legend className="segmented__legend">Time range</legend>
      <div className="segmented__options">
        {TIME_RANGES.map((range) => (
          <label key={range.id} className="segmented__option">
            <input
              type="radio"
              name={name}
              value={range.id}
              checked={range.id === value.id}
              onChange={() => {
                onChange(range.id);
              }}
            />
            <span>
              {range.label} <span className="visually-hidden">({range.description})</span>
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
