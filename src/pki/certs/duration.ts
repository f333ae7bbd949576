import { durationMs } from '../../duration.js';
import { PkiError, PkiErrorCode } from '../ca/errors.js';

/** Parses a lifetime such as `90s`, `30m`, `1h` or `7d` into milliseconds. */
export function parseDuration(text: string, what = 'duration'): number {
  const value = durationMs(text);
  if (value === undefined) {
    throw new PkiError(
      PkiErrorCode.Options,
      `${what} '${text}' is not a positive duration: write a number and a unit, e.g. 90s, 30m, 1h or 7d.`,
    );
  }
  return value;
}
