/** Whether `url` is an http(s) address, the only kind shown as a link. */
export function isWebUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:";
  } catch {
    return false;
  }
}

/**
 * A runbook's address: a link that opens in a new tab (without handing it this page) when it is an
 * http(s) address, plain text otherwise (never a `javascript:` or `data:` link).
 */
export function RunbookLink({ url, children }: { url: string; children?: string }) {
  if (!isWebUrl(url)) return <span className="break-anywhere">{url}</span>;
  return (
    <a href={url} target="_blank" rel="noopener noreferrer" className="break-anywhere">
      {children ?? url} <span className="visually-hidden">(opens in a new tab)</span>
    </a>
  );
}
