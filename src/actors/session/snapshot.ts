import type { Snapshot } from 'xstate';
import type { CallHistory, SessionCounters } from '../../policy/index.js';
import type { SessionDescriptor } from '../control/index.js';

/**
 * Everything needed to bring a session back on another node: the XState persisted snapshot plus the
 * history and counters the policy reads, all plain JSON.
 */
export interface SessionSnapshot {
  readonly version: 1;
  readonly descriptor: SessionDescriptor;
  readonly machine: Snapshot<unknown>;
  readonly history: CallHistory;
  readonly counters: SessionCounters;
  readonly takenAt: number;
}
