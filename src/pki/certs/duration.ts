import { PkiError, PkiErrorCode } from '../ca/errors.js';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses a lifetime such as `90s`, `30m`, `1h` or `7d` into milliseconds. */
export function parseDuration(text: string, what = 'duration'): number {
  const match = /^(\d+(?:\.\d+)?)([smhd])$/.exec(text.trim());
  const value = match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : Number.NaN;
  if (!(value > 0)) {
    throw new PkiError(
      PkiErrorCode.Options,
      `${what} '${text}' is not a positive duration: write a number and a unit, e.g. 90s, 30m, 1h or 7d.`,
    );
  }
  return value;
}
