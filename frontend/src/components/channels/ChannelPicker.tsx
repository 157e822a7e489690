import type { NotificationChannel } from "../../types/alerts";

interface ChannelPickerProps {
  id: string;
  legend: string;
  hint: string;
  channels: readonly NotificationChannel[];
  value: readonly number[];
  onChange: (ids: number[]) => void;
  errors?: readonly string[] | undefined;
}

/** Channels to choose, ticked; a channel switched off or unable to send says so. */
export function ChannelPicker({ id, legend, hint, channels, value, onChange, errors = [] }: ChannelPickerProps) {
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  return (
    <fieldset
      className="field form-grid__wide channel-picker"
      aria-describedby={[hintId, errors.length > 0 ? errorId : null].filter(Boolean).join(" ")}
    >
      <legend className="field__label">{legend}</legend>
      <p id={hintId} className="field__hint">
        {hint}
      </p>
      {channels.length === 0 ? (
        <p className="muted">No channel yet: add one on the Integrations page.</p>
      ) : (
        <ul className="channel-picker__list">
          {channels.map((channel, index) => {
            const inputId = index === 0 ? id : `${id}-${channel.id}`;
            const notes = [channel.kind_label, channel.is_active ? null : "off", channel.configured ? null : "not configured"];
            return (
              <li key={channel.id} className="field__check">
                <input
                  id={inputId}
                  type="checkbox"
                  className="checkbox"
                  checked={value.includes(channel.id)}
                  aria-invalid={errors.length > 0}
                  onChange={(event) => {
                    onChange(event.target.checked ? [...value, channel.id] : value.filter((chosen) => chosen !== channel.id));
                  }}
                />
                <label htmlFor={inputId}>
                  {channel.name} <span className="muted">({notes.filter(Boolean).join(", ")})</span>
                </label>
              </li>
            );
          })}
        </ul>
      )}
      {errors.length > 0 && (
        <p id={errorId} className="field__error">
          {errors.join(" ")}
        </p>
      )}
    </fieldset>
  );
}
