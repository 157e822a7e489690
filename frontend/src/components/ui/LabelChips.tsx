/** Labels (`route=/api/orders/`) as chips, in name order; nothing for none. */
export function LabelChips({ labels, label }: { labels: Readonly<Record<string, string>>; label: string }) {
  const names = Object.keys(labels).sort();
  if (names.length === 0) return null;
  return (
    <ul className="label-chips" aria-label={label}>
      {names.map((name) => {
        // A label a series does not have reads as the empty string.
        const value = labels[name] ?? "";
        return (
          <li key={name} className="label-chip">
            <span className="label-chip__name">{name}</span>=<span className="label-chip__value">{value === "" ? "(none)" : value}</span>
          </li>
        );
      })}
    </ul>
  );
}

/** Labels in one line of text, as the messages write them: `route=/api/orders/, method=GET`. */
export function labelsText(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((name) => `${name}=${labels[name] ?? ""}`)
    .join(", ");
}
