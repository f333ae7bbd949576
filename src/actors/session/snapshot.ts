import type { Snapshot } from 'xstate';
import type { CallHistory, SessionCounters } from '../../policy/index.js';
import type { SessionDescriptor } from '../control/index.js';
import type { MonitorSnapshot } from '../monitor/index.js';

/**
 * Everything needed to bring a session back on another node: the XState persisted snapshot, the
 * history and counters the policy reads, and the behaviour monitor's state, all plain JSON.
 */
export interface SessionSnapshot {
  readonly version: 1;
  readonly descriptor: SessionDescriptor;
  readonly machine: Snapshot<unknown>;
  readonly history: CallHistory;
  readonly counters: SessionCounters;
  /** Absent in snapshots taken before the monitor was wired: the session then starts a fresh one. */
  readonly monitor?: MonitorSnapshot;
  readonly takenAt: number;
}
