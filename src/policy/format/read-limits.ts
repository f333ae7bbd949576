import { durationMs } from '../../duration.js';
import type { Located } from './located.js';
import type { Entry, NodeReader } from './reader.js';
import { type RawLimits, type RawSchedule, type RawWindow, WEEKDAYS, type Weekday } from './schema.js';

/** A duration in seconds: a whole number (the seed's `ttl: 3600`) or text such as `1h30m`. */
export function readDuration(r: NodeReader, entry: Entry | undefined): Located<number> | undefined {
  if (!entry) return undefined;
  if (typeof r.value(entry) === 'number') return r.count(entry);
  const asText = r.string(entry);
  if (!asText) return undefined;
  const ms = durationMs(asText.value);
  if (ms === undefined) {
    return r.fail(asText.loc, `"${asText.value}" is not a duration; write seconds (3600) or e.g. "1h30m"`);
  }
  return { value: ms / 1_000, loc: asText.loc };
}

export function readLimits(r: NodeReader, entry: Entry | undefined): RawLimits | undefined {
  if (!entry) return undefined;
  const f = r.fields(entry.node, entry.loc, ['callsPerMinute', 'bytesIn', 'bytesOut', 'schedule'] as const);
  if (!f) return undefined;
  return {
    loc: entry.loc,
    callsPerMinute: r.count(f.get('callsPerMinute')),
    bytesIn: r.count(f.get('bytesIn')),
    bytesOut: r.count(f.get('bytesOut')),
    schedule: readSchedule(r, f.get('schedule')),
  };
}

function readSchedule(r: NodeReader, entry: Entry | undefined): RawSchedule | undefined {
  if (!entry) return undefined;
  const f = r.fields(entry.node, entry.loc, ['timeZone', 'windows'] as const);
  if (!f) return undefined;
  const timeZone = r.string(f.get('timeZone'));
  if (!f.has('timeZone'))
    r.fail(entry.loc, 'a schedule needs a timeZone (IANA name such as "Europe/Berlin" or "UTC")');
  const windowsEntry = f.get('windows');
  if (!windowsEntry) r.fail(entry.loc, 'a schedule needs windows (a list of {days, from, to})');
  const windows = (r.items(windowsEntry) ?? [])
    .map((item) => readWindow(r, item))
    .filter((w) => w !== undefined);
  return { loc: entry.loc, timeZone, windows };
}

function readWindow(r: NodeReader, entry: Entry): RawWindow | undefined {
  const f = r.fields(entry.node, entry.loc, ['days', 'from', 'to'] as const);
  if (!f) return undefined;
  const days = r.strings(f.get('days'))?.map((d) => {
    const day = d.value.toLowerCase();
    if (!(WEEKDAYS as readonly string[]).includes(day)) {
      return r.fail(d.loc, `"${d.value}" is not a day; use ${WEEKDAYS.join(', ')}`);
    }
    return { value: day as Weekday, loc: d.loc };
  });
  return {
    loc: entry.loc,
    days: days?.filter((d) => d !== undefined),
    from: r.string(f.get('from')),
    to: r.string(f.get('to')),
  };
}
