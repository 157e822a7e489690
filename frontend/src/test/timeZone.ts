import { onTestFinished, vi } from "vitest";

/**
 * Runs the rest of the current test as a reader in `zone` (an IANA name): Node applies a change of
 * TZ to Date and Intl at once. Restored when the test ends.
 */
export function readerInTimeZone(zone: string): void {
  vi.stubEnv("TZ", zone);
  onTestFinished(() => {
    vi.unstubAllEnvs();
  });
}
