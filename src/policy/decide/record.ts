import type { Clock } from '../../clock.js';
import type { CallHistory, SessionCounters, ToolHistory, Usage } from './types.js';
import { EMPTY_USAGE } from './types.js';
import { RATE_WINDOW_MS } from './usage.js';

/** Distinct resources remembered per tool for `requires`; the oldest go first (which can only deny). */
export const MAX_RESOURCES_PER_TOOL = 1024;
/** Upper bound on timestamps kept per window, whatever the limits say. */
export const MAX_RECENT = 10_000;

export interface RecordedCall {
  /** `server.tool` or `server.method`. */
  readonly key: string;
  /** The canonical resource from the Decision. */
  readonly resource?: string;
  readonly bytesIn?: number;
  /**
   * Timestamps to keep per rate window: `rateWindowDepth(bundle)`. A policy that raises a limit
   * later still counts correctly, since no more calls than the old limit fitted in a window.
   * @default MAX_RECENT
   */
  readonly keepRecent?: number;
}

export interface CallOutcome {
  /** The server answered without error. Only successful calls satisfy `requires`. */
  readonly ok: boolean;
  readonly bytesOut?: number;
}

function bump(usage: Usage, now: number, call: RecordedCall, bytesOut: number): Usage {
  const recent = usage.recent;
  const keep = Math.min(MAX_RECENT, call.keepRecent ?? MAX_RECENT);
  // Only the newest `keep` can matter, and the window drops the old ones: copy just those.
  let first = Math.max(0, recent.length + 1 - keep);
  while (first < recent.length && now - recent[first]! >= RATE_WINDOW_MS) first++;
  const bytesIn = call.bytesIn ?? 0;
  return {
    calls: usage.calls + 1,
    bytesIn: usage.bytesIn + bytesIn,
    bytesOut: usage.bytesOut + bytesOut,
    recent: keep === 0 ? [] : [...recent.slice(first), now],
  };
}

function remember(done: ToolHistory | undefined, resource: string | undefined): ToolHistory {
  const resources = done?.resources ?? [];
  const kept =
    resource === undefined
      ? resources
      : [...resources.filter((r) => r !== resource).slice(-(MAX_RESOURCES_PER_TOOL - 1)), resource];
  return { succeeded: (done?.succeeded ?? 0) + 1, resources: kept };
}

/**
 * Accounts for a call that was allowed and made, once its outcome is known. Returns updated copies
 * and leaves the inputs untouched (they may be in a persisted snapshot); only the touched entries
 * are copied. The call counts towards rate windows at `clock()`.
 */
export function recordCall(
  history: CallHistory,
  counters: SessionCounters,
  call: RecordedCall,
  outcome: CallOutcome,
  clock: Clock,
): { history: CallHistory; counters: SessionCounters } {
  const now = clock();
  const bytesOut = outcome.bytesOut ?? 0;
  const next: SessionCounters = {
    session: bump(counters.session, now, call, bytesOut),
    tools: {
      ...counters.tools,
      [call.key]: bump(counters.tools[call.key] ?? EMPTY_USAGE, now, call, bytesOut),
    },
  };
  if (!outcome.ok) return { history, counters: next };
  return { history: { ...history, [call.key]: remember(history[call.key], call.resource) }, counters: next };
}
