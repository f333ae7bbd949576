import type { Schedule } from '../compile/bundle.js';

const MINUTE_MS = 60_000;
const WEEKDAY_INDEX: Readonly<Record<string, number>> = {
  Sun: 0,
  Mon: 1,
  Tue: 2,
  Wed: 3,
  Thu: 4,
  Fri: 5,
  Sat: 6,
};

interface ZoneClock {
  readonly format: Intl.DateTimeFormat;
  minuteKey: number;
  day: number;
  minute: number;
}

/** One formatter per zone (they are costly to build) and the last minute it answered for. */
const zones = new Map<string, ZoneClock>();

/**
 * Weekday (0 = Sunday) and minutes after midnight of `now` in `timeZone`. Zone offsets are whole
 * minutes, so the answer is cached per minute.
 */
export function localTime(now: number, timeZone: string): { day: number; minute: number } {
  let zone = zones.get(timeZone);
  if (!zone) {
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    zone = { format, minuteKey: Number.NaN, day: 0, minute: 0 };
    zones.set(timeZone, zone);
  }
  const key = Math.floor(now / MINUTE_MS);
  if (key !== zone.minuteKey) {
    let day = 0;
    let hour = 0;
    let minute = 0;
    for (const part of zone.format.formatToParts(now)) {
      if (part.type === 'weekday') day = WEEKDAY_INDEX[part.value] ?? 0;
      else if (part.type === 'hour') hour = Number(part.value);
      else if (part.type === 'minute') minute = Number(part.value);
    }
    zone.minuteKey = key;
    zone.day = day;
    zone.minute = hour * 60 + minute;
  }
  return { day: zone.day, minute: zone.minute };
}

/** True when `now` falls in one of the windows: `from` inclusive, `to` exclusive, in local time. */
export function withinSchedule(schedule: Schedule, now: number): boolean {
  const { day, minute } = localTime(now, schedule.timeZone);
  return schedule.windows.some((w) => (w.days & (1 << day)) !== 0 && minute >= w.from && minute < w.to);
}
