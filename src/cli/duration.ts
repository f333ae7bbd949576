import { InvalidArgumentError } from 'commander';
import { durationMs } from '../duration.js';

/** `90s`, `30m`, `1h`, `1d2h` as milliseconds; a commander argument parser. */
export function parseDuration(value: string): number {
  const ms = durationMs(value);
  if (ms === undefined) {
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
