import { SessionState } from '../../src/policy/vocabulary.js';
import { StatechartInputError } from '../errors.js';
import type { CallDecision, DecidingState, SessionCall, SessionTimer, TransitionRecord } from './events.js';

/** Risk scores (in [0, 1]) at which the session moves; `decay` is the hysteresis floor for leaving scrutiny. */
export interface RiskThresholds {
  /** Below this, a scrutinised session returns to active. @default 0.3 */
  readonly decay: number;
  /** @default 0.5 */
  readonly scrutinise: number;
  /** @default 0.75 */
  readonly readOnly: number;
  /** @default 0.9 */
  readonly suspend: number;
}

export interface SessionTimeouts {
  /** How long a privileged call waits for an approver before it is denied. @default 120_000 */
  readonly approvalMs: number;
  /** How long the principal has to re-authenticate before the session is suspended. @default 300_000 */
  readonly reauthMs: number;
  /** Risk-free time after which a scrutinised session returns to active. @default 600_000 */
  readonly quietMs: number;
}

export interface SessionInput {
  readonly sessionId: string;
  /** When the session token expires (ms since epoch); expiry moves the session to `reauth`. */
  readonly expiresAt: number;
  /** The session's start time (ms since epoch), from the host's clock. */
  readonly now: number;
  readonly thresholds?: Partial<RiskThresholds>;
  readonly timeouts?: Partial<SessionTimeouts>;
  /** How many transitions the history keeps (oldest dropped first). @default 64 */
  readonly historyLimit?: number;
}

export const DEFAULT_RISK_THRESHOLDS: RiskThresholds = {
  decay: 0.3,
  scrutinise: 0.5,
  readOnly: 0.75,
  suspend: 0.9,
};
export const DEFAULT_SESSION_TIMEOUTS: SessionTimeouts = {
  approvalMs: 120_000,
  reauthMs: 300_000,
  quietMs: 600_000,
};
export const DEFAULT_HISTORY_LIMIT = 64;

/** A privileged call held in `awaitingApproval`. */
export interface PendingApproval {
  readonly call: SessionCall;
  readonly decision: CallDecision;
  readonly state: DecidingState;
  readonly requestedAt: number;
}

export interface SessionContext {
  readonly sessionId: string;
  readonly startedAt: number;
  readonly thresholds: RiskThresholds;
  readonly timeouts: SessionTimeouts;
  readonly historyLimit: number;
  readonly risk: { readonly score: number; readonly reasons: readonly string[]; readonly at: number };
  /** Where a successful re-authentication returns to. */
  readonly resumeTo: typeof SessionState.Active | typeof SessionState.Scrutinised;
  /** Absolute deadlines (ms since epoch), `null` when the timer is not running. */
  readonly deadlines: Readonly<Record<SessionTimer, number | null>>;
  readonly pending: PendingApproval | null;
  readonly history: readonly TransitionRecord[];
}

function fail(field: string, problem: string): never {
  throw new StatechartInputError(
    `session input: ${field} ${problem}; fix the session options and start it again`,
  );
}

function checkScore(field: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0 && value <= 1))
    fail(field, `must be a number in [0, 1], got ${value}`);
}

function checkPositive(field: string, value: number): void {
  if (!(Number.isSafeInteger(value) && value > 0)) fail(field, `must be a positive integer, got ${value}`);
}

/** Validates the input and fills defaults; throws `StatechartInputError` naming the field at fault. */
export function initialSessionContext(input: SessionInput): SessionContext {
  if (typeof input.sessionId !== 'string' || input.sessionId.length === 0)
    fail('sessionId', 'must be non-empty');
  if (!Number.isFinite(input.now)) fail('now', `must be a time in ms, got ${input.now}`);
  if (!(Number.isFinite(input.expiresAt) && input.expiresAt > input.now)) {
    fail('expiresAt', `must be after now (${input.now}), got ${input.expiresAt}`);
  }
  const thresholds = { ...DEFAULT_RISK_THRESHOLDS, ...input.thresholds };
  for (const [field, value] of Object.entries(thresholds)) checkScore(`thresholds.${field}`, value);
  if (
    !(
      thresholds.decay < thresholds.scrutinise &&
      thresholds.scrutinise <= thresholds.readOnly &&
      thresholds.readOnly <= thresholds.suspend
    )
  ) {
    fail('thresholds', 'must satisfy decay < scrutinise <= readOnly <= suspend');
  }
  const timeouts = { ...DEFAULT_SESSION_TIMEOUTS, ...input.timeouts };
  for (const [field, value] of Object.entries(timeouts)) checkPositive(`timeouts.${field}`, value);
  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  checkPositive('historyLimit', historyLimit);
  return {
    sessionId: input.sessionId,
    startedAt: input.now,
    thresholds,
    timeouts,
    historyLimit,
    risk: { score: 0, reasons: [], at: input.now },
    resumeTo: SessionState.Active,
    deadlines: { ttl: input.expiresAt, quiet: null, reauth: null, approval: null },
    pending: null,
    history: [],
  };
}
