/** `90s`, `30m`, `1h`, `7d`, `1d2h30m10s` (units in d, h, m, s order). One grammar for policy, CLI and PKI. */
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const UNIT_MS = [86_400_000, 3_600_000, 60_000, 1_000] as const;

/** Milliseconds, or undefined when `text` is not a positive duration. */
export function durationMs(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const ms = UNIT_MS.reduce((sum, unit, i) => sum + unit * Number(match[i + 1] ?? 0), 0);
  return Number.isSafeInteger(ms) && ms > 0 ? ms : undefined;
}
