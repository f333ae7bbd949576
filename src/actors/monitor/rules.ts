import picomatch from 'picomatch';
import type { Effect } from '../../policy/vocabulary.js';
import type { CallSelector, DetectionRule } from './config.js';
import { RuleKind } from './config.js';
import { type CounterState, DecayedCounter } from './decay.js';

/** What the rules know about a call when it is assessed. */
export interface CallFacts {
  readonly tool: string;
  readonly effect: Effect;
  /** It touches a resource marked sensitive (by path rule, canary, or secret-looking output). */
  readonly sensitive: boolean;
  readonly at: number;
}

/** What the rules learn after a call, and from authentication. */
export type RuleEvent =
  | { readonly type: 'bytes'; readonly bytesIn: number; readonly bytesOut: number; readonly at: number }
  | { readonly type: 'denial'; readonly at: number }
  | { readonly type: 'auth_failure'; readonly at: number };

/** What a rule instance keeps between calls, as plain JSON: a counter, calls since an opener, or nothing. */
export type RuleState = CounterState | number | null;

/** One rule's per-session state: returns a short detail when the rule fires, else `undefined`. */
export interface RuleInstance {
  onCall(facts: CallFacts): string | undefined;
  onEvent(event: RuleEvent): string | undefined;
  save(): RuleState;
}

export interface CompiledRule {
  readonly name: string;
  readonly severity: number;
  appliesTo(purpose: string): boolean;
  /** A fresh instance, or one carrying on from `saved` (a restored session snapshot). */
  start(now: number, saved?: RuleState): RuleInstance;
}

/** How far under its `count` a burst may be and still fire (decay between events a second apart). */
const BURST_SLACK = 0.05;

const quiet = (): undefined => undefined;
const stateless = (): null => null;

/** The saved counter when `saved` is one; anything else starts the counter afresh. */
function savedCounter(saved: RuleState | undefined): CounterState | undefined {
  return Array.isArray(saved) && saved.length === 2 ? (saved as CounterState) : undefined;
}

function compileSelector(selector: CallSelector): (facts: CallFacts) => boolean {
  const tool = selector.tool === undefined ? undefined : picomatch(selector.tool, { dot: true });
  return (facts) =>
    (tool === undefined || tool(facts.tool)) &&
    (selector.effect === undefined || selector.effect === facts.effect) &&
    (selector.sensitive === undefined || selector.sensitive === facts.sensitive);
}

/** The local hour and weekday of `at` in a time zone, through one cached formatter. */
function localClock(timeZone: string): (at: number) => { hour: number; weekend: boolean } {
  const format = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: 'numeric',
    hourCycle: 'h23',
    weekday: 'short',
  });
  return (at) => {
    let hour = 0;
    let weekend = false;
    for (const part of format.formatToParts(at)) {
      if (part.type === 'hour') hour = Number(part.value);
      else if (part.type === 'weekday') weekend = part.value === 'Sat' || part.value === 'Sun';
    }
    return { hour, weekend };
  };
}

function instanceFor(rule: DetectionRule, now: number, saved: RuleState | undefined): RuleInstance {
  switch (rule.kind) {
    case RuleKind.Sequence: {
      const first = compileSelector(rule.first);
      const next = compileSelector(rule.next);
      return sequenceInstance(first, next, rule.withinCalls, typeof saved === 'number' ? saved : undefined);
    }
    case RuleKind.SensitiveAccess: {
      const hours = rule.outsideHours;
      if (!hours)
        return {
          onCall: (f) => (f.sensitive ? `${f.tool} touched a sensitive resource` : undefined),
          onEvent: quiet,
          save: stateless,
        };
      const clock = localClock(hours.timeZone);
      return {
        onCall: (f) => {
          if (!f.sensitive) return undefined;
          const { hour, weekend } = clock(f.at);
          const inside = hour >= hours.start && hour < hours.end && !(hours.weekdaysOnly && weekend);
          return inside ? undefined : `${f.tool} touched a sensitive resource at ${hour}h ${hours.timeZone}`;
        },
        onEvent: quiet,
        save: stateless,
      };
    }
    case RuleKind.Volume: {
      const bytes = new DecayedCounter(rule.windowMs, now, savedCounter(saved));
      return {
        onCall: quiet,
        save: () => bytes.save(),
        onEvent: (e) => {
          if (e.type !== 'bytes') return undefined;
          const amount =
            rule.direction === 'in'
              ? e.bytesIn
              : rule.direction === 'out'
                ? e.bytesOut
                : e.bytesIn + e.bytesOut;
          const total = bytes.add(e.at, amount);
          return total >= rule.maxBytes
            ? `${Math.round(total)} bytes ${rule.direction} in ~${rule.windowMs} ms`
            : undefined;
        },
      };
    }
    case RuleKind.Burst: {
      const events = new DecayedCounter(rule.windowMs, now, savedCounter(saved));
      return {
        onCall: quiet,
        save: () => events.save(),
        onEvent: (e) => {
          if (e.type !== rule.of) return undefined;
          const count = events.add(e.at);
          // The decayed count of n events in quick succession is a hair under n: n of them must fire.
          return count + BURST_SLACK >= rule.count
            ? `${count.toFixed(1)} ${rule.of} events in ~${rule.windowMs} ms`
            : undefined;
        },
      };
    }
  }
}

function sequenceInstance(
  first: (f: CallFacts) => boolean,
  next: (f: CallFacts) => boolean,
  withinCalls: number,
  saved: number | undefined,
): RuleInstance {
  // Calls since the last opener; JSON has no Infinity, so "none yet" is saved as -1.
  let since = saved === undefined || saved < 0 ? Number.POSITIVE_INFINITY : saved;
  return {
    save: () => (Number.isFinite(since) ? since : -1),
    onCall: (f) => {
      const fired =
        since < withinCalls && next(f) ? `${f.tool} ${since + 1} call(s) after the opening call` : undefined;
      since = first(f) ? 0 : since + 1;
      return fired;
    },
    onEvent: quiet,
  };
}

export function compileRule(rule: DetectionRule): CompiledRule {
  const purposes = rule.purposes ? new Set(rule.purposes) : undefined;
  return {
    name: rule.name,
    severity: rule.severity,
    appliesTo: (purpose) => purposes === undefined || purposes.has(purpose),
    start: (now, saved) => instanceFor(rule, now, saved),
  };
}
