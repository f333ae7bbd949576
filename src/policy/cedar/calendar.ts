/** Wall-clock fields of an instant in a time zone, as the Cedar schema exposes them. */
export interface CalendarFields {
  /** 0–23. */
  hour: number;
  /** 0–1439. */
  minuteOfDay: number;
  /** `mon` … `sun`. */
  weekday: string;
}

const WEEKDAYS: Readonly<Record<string, string>> = {
  Mon: 'mon',
  Tue: 'tue',
  Wed: 'wed',
  Thu: 'thu',
  Fri: 'fri',
  Sat: 'sat',
  Sun: 'sun',
};

interface ZoneCache {
  format: Intl.DateTimeFormat;
  /** Epoch minute `fields` were computed for. */
  minute: number;
  fields: CalendarFields;
}

const zones = new Map<string, ZoneCache>();

/**
 * `now`'s wall-clock fields in `timeZone`. Formatting costs microseconds, so each zone keeps the
 * last UTC minute it formatted: the fields cannot change within one while zone offsets are whole
 * minutes, as they have been everywhere since 1972. Throws RangeError for an unknown time zone.
 */
export function calendarFields(now: number, timeZone: string): CalendarFields {
  const minute = Math.floor(now / 60_000);
  let zone = zones.get(timeZone);
  if (!zone) {
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      hour: 'numeric',
      minute: 'numeric',
    });
    zone = { format, minute: Number.NaN, fields: { hour: 0, minuteOfDay: 0, weekday: '' } };
    zones.set(timeZone, zone);
  }
  if (zone.minute !== minute) {
    zone.fields = formatFields(zone.format, now);
    zone.minute = minute;
  }
  return zone.fields;
}

function formatFields(format: Intl.DateTimeFormat, now: number): CalendarFields {
  let hour = 0;
  let minute = 0;
  let weekday = '';
  for (const part of format.formatToParts(now)) {
    if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
    else if (part.type === 'weekday') weekday = WEEKDAYS[part.value] ?? '';
  }
  return { hour, minuteOfDay: hour * 60 + minute, weekday };
}
