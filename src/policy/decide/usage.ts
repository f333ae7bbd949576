import type { Limits, PolicyBundle } from '../compile/bundle.js';
import { ReasonCode } from './reasons.js';
import { withinSchedule } from './schedule.js';
import type { Usage } from './types.js';

/** The sliding rate window: a call made at `t` counts while `now - t < RATE_WINDOW_MS`. */
export const RATE_WINDOW_MS = 60_000;

/** Calls in `(now - 60 s, now]`; `recent` is ascending, so count from the end. */
export function callsInWindow(recent: readonly number[], now: number): number {
  let n = 0;
  for (let i = recent.length - 1; i >= 0 && now - recent[i]! < RATE_WINDOW_MS; i--) n++;
  return n;
}

const depths = new WeakMap<PolicyBundle, number>();

/**
 * The most timestamps any rate window of `bundle` needs: its largest `callsPerMinute`. Counting
 * stops at the limit, so older calls in the window never change a decision and need not be kept.
 */
export function rateWindowDepth(bundle: PolicyBundle): number {
  let depth = depths.get(bundle);
  if (depth === undefined) {
    depth = 0;
    for (const purpose of bundle.purposes.values()) {
      const grants = [...purpose.tools.values(), ...purpose.methods.values()];
      for (const limits of [purpose.limits, ...grants.map((grant) => grant.limits)]) {
        depth = Math.max(depth, limits.callsPerMinute?.max ?? 0);
      }
    }
    depths.set(bundle, depth);
  }
  return depth;
}

export interface Denial {
  readonly reason: ReasonCode;
  readonly rule: string;
}

const CODES = {
  session: { rate: ReasonCode.DenyRateSession, bytes: ReasonCode.DenyBytesSession },
  tool: { rate: ReasonCode.DenyRateTool, bytes: ReasonCode.DenyBytesTool },
} as const;

/**
 * Checks one set of limits against usage so far, for a call about to be made. Boundaries: the N-th
 * call in a window of `callsPerMinute: N` is allowed, the N+1-th denied; `bytesIn` counts this
 * call's request, allowed while the total stays ≤ the limit; `bytesOut` is only known after a call,
 * so calls are denied once the total has reached the limit.
 */
export function checkLimits(
  limits: Limits,
  usage: Usage | undefined,
  scope: keyof typeof CODES,
  now: number,
  bytesIn: number,
): Denial | undefined {
  const { schedule, callsPerMinute, bytesIn: maxIn, bytesOut: maxOut } = limits;
  if (schedule && !withinSchedule(schedule, now))
    return { reason: ReasonCode.DenyTimeWindow, rule: schedule.at };
  if (callsPerMinute && callsInWindow(usage?.recent ?? [], now) >= callsPerMinute.max) {
    return { reason: CODES[scope].rate, rule: callsPerMinute.at };
  }
  if (maxIn && (usage?.bytesIn ?? 0) + bytesIn > maxIn.max)
    return { reason: CODES[scope].bytes, rule: maxIn.at };
  if (maxOut && (usage?.bytesOut ?? 0) >= maxOut.max) return { reason: CODES[scope].bytes, rule: maxOut.at };
  return undefined;
}
