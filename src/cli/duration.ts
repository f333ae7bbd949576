import { InvalidArgumentError } from 'commander';

const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const UNIT_MS = [86_400_000, 3_600_000, 60_000, 1_000] as const;

/** `90s`, `30m`, `1h`, `1d2h` (units in d, h, m, s order) as milliseconds; a commander argument parser. */
export function parseDuration(value: string): number {
  const match = DURATION.exec(value);
  const ms = match ? UNIT_MS.reduce((sum, unit, i) => sum + unit * Number(match[i + 1] ?? 0), 0) : 0;
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new InvalidArgumentError(`"${value}" is not a duration; write e.g. 90s, 30m, 1h or 1d2h.`);
  }
  return ms;
}

/** A span of time for people, in its two largest units: `1h 5m`, `42s`, `3d 2h`. */
export function formatDuration(ms: number): string {
  let rest = Math.max(0, Math.round(ms / 1_000));
  const parts: string[] = [];
  for (const [unit, seconds] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const count = Math.floor(rest / seconds);
    rest -= count * seconds;
    if (count > 0 || (unit === 's' && parts.length === 0)) parts.push(`${count}${unit}`);
  }
  return parts.slice(0, 2).join(' ');
}
