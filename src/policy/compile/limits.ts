import { issueAt, type Located, ruleOf } from '../format/located.js';
import { type RawLimits, type RawSchedule, WEEKDAYS } from '../format/schema.js';
import type { PolicyIssue } from '../issues.js';
import type { Bound, Limits, Schedule, TimeWindow } from './bundle.js';

const ALL_DAYS = 0b1111111;
const CLOCK_TIME = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

function bound(value: Located<number> | undefined): Bound | undefined {
  return value && { max: value.value, at: ruleOf(value.loc) };
}

function minutes(time: Located<string> | undefined, issues: PolicyIssue[]): number | undefined {
  if (!time) return undefined;
  const match = CLOCK_TIME.exec(time.value);
  if (!match) {
    issues.push(issueAt(time.loc, `"${time.value}" is not a time of day; write HH:MM from 00:00 to 24:00`));
    return undefined;
  }
  return match[1] === undefined ? 24 * 60 : Number(match[1]) * 60 + Number(match[2]);
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function compileSchedule(raw: RawSchedule, issues: PolicyIssue[]): Schedule | undefined {
  const tz = raw.timeZone;
  if (tz && !isTimeZone(tz.value)) {
    issues.push(
      issueAt(tz.loc, `"${tz.value}" is not an IANA time zone; use a name such as "Europe/Berlin" or "UTC"`),
    );
  }
  const windows: TimeWindow[] = [];
  for (const w of raw.windows) {
    if (!w.from || !w.to) issues.push(issueAt(w.loc, 'a window needs both "from" and "to" (HH:MM)'));
    const from = minutes(w.from, issues);
    const to = minutes(w.to, issues);
    if (from === undefined || to === undefined) continue;
    if (from >= to) {
      issues.push(
        issueAt(
          w.to!.loc,
          `window ends (${w.to!.value}) at or before it starts (${w.from!.value}); split an overnight window in two`,
        ),
      );
      continue;
    }
    const days = w.days ? w.days.reduce((mask, d) => mask | (1 << WEEKDAYS.indexOf(d.value)), 0) : ALL_DAYS;
    windows.push({ days, from, to });
  }
  if (!tz || windows.length !== raw.windows.length || raw.windows.length === 0) return undefined;
  return { timeZone: tz.value, windows, at: ruleOf(raw.loc) };
}

export function compileLimits(raw: RawLimits | undefined, issues: PolicyIssue[]): Limits {
  if (!raw) return {};
  return {
    callsPerMinute: bound(raw.callsPerMinute),
    bytesIn: bound(raw.bytesIn),
    bytesOut: bound(raw.bytesOut),
    schedule: raw.schedule && compileSchedule(raw.schedule, issues),
  };
}
