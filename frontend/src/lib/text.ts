/** "1 error group", "3 error groups". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** At most `length` characters, with an ellipsis when cut. */
export function truncate(text: string, length: number): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length <= length ? oneLine : `${oneLine.slice(0, length - 1)}…`;
}
