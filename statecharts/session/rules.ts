import { Effect, SessionState, Verdict } from '../../src/policy/vocabulary.js';
import type { RiskThresholds, SessionContext } from './context.js';
import type { CallDecision, SessionCall, SessionEvent, SessionStatus } from './events.js';
import { Terminated } from './events.js';

/** How contained each state is; a move to a higher rank is containment, to a lower one is release. */
const CONTAINMENT_RANK: Readonly<Record<SessionStatus, number>> = {
  active: 0,
  scrutinised: 1,
  readOnly: 2,
  reauth: 3,
  suspended: 4,
  terminated: 5,
};

export function containmentRank(state: SessionStatus): number {
  return CONTAINMENT_RANK[state];
}

/** The risk level a score reaches: each named state's threshold is at or below the score. */
export type RiskLevel =
  | typeof SessionState.Scrutinised
  | typeof SessionState.ReadOnly
  | typeof SessionState.Suspended;

const RISK_THRESHOLD: Readonly<Record<RiskLevel, keyof RiskThresholds>> = {
  scrutinised: 'scrutinise',
  readOnly: 'readOnly',
  suspended: 'suspend',
};

export function riskReaches(score: number, level: RiskLevel, thresholds: RiskThresholds): boolean {
  return score >= thresholds[RISK_THRESHOLD[level]];
}

/**
 * What a state gives a call before any policy is asked: suspended and reauth give nothing, readOnly gives
 * only reads. `null` means the policy decides.
 */
export function stateFloor(state: SessionStatus, call: SessionCall): CallDecision | null {
  switch (state) {
    case SessionState.Suspended:
      return deny('the session is suspended; an operator must resume it (trustmesh sessions resume)');
    case SessionState.Reauth:
      return deny('the session token expired; re-authenticate the session, then retry the call');
    case Terminated:
      return deny('the session was terminated; create a new session');
    case SessionState.ReadOnly:
      return call.effect === Effect.Read
        ? null
        : deny(
            `the session is read-only and ${call.tool} has effect '${call.effect}'; only read tools are allowed`,
          );
    default:
      return null;
  }
}

/** Scrutinised sessions get reads as granted; a granted write, egress or admin call needs step-up approval. */
export function stepUp(state: SessionStatus, call: SessionCall, decision: CallDecision): CallDecision {
  if (
    state !== SessionState.Scrutinised ||
    decision.verdict !== Verdict.Allow ||
    call.effect === Effect.Read
  ) {
    return decision;
  }
  return {
    ...decision,
    verdict: Verdict.NeedsApproval,
    reason: `the session is under scrutiny, so a '${call.effect}' call needs approval (${decision.reason})`,
  };
}

function deny(reason: string): CallDecision {
  return { verdict: Verdict.Deny, reason };
}

/** The event's time; the start event carries none, so it is the session's start. */
export function eventTime(event: SessionEvent | { type: string }, context: SessionContext): number {
  return 'at' in event && typeof event.at === 'number' ? event.at : context.startedAt;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Why a transition happened, for the history and the `contained` hook. */
export function describeEvent(event: SessionEvent | { type: string }, context: SessionContext): string {
  const e = event as SessionEvent;
  switch (e.type) {
    case 'RISK':
      return `risk ${e.score}${e.callId ? ` from call ${e.callId}` : ''}: ${e.reasons.join('; ') || 'no reasons given'}`;
    case 'SIGNAL':
      return `${e.kind}: ${e.detail}`;
    case 'REAUTH_OK':
      return `re-authenticated; token valid until ${iso(e.expiresAt)}`;
    case 'REAUTH_FAILED':
      return `re-authentication failed: ${e.reason}`;
    case 'APPROVAL_DENIED':
      return `${e.approver} denied call ${e.callId}: ${e.reason}`;
    case 'OPERATOR_RESUME':
    case 'OPERATOR_SCRUTINISE':
    case 'OPERATOR_READONLY':
    case 'OPERATOR_SUSPEND':
    case 'OPERATOR_KILL':
      return `operator ${e.operator}: ${e.reason}`;
    case 'session.timeout':
      return describeTimeout(e.timer, context);
    default:
      return event.type === 'xstate.init' ? 'session started' : event.type;
  }
}

function describeTimeout(timer: string, context: SessionContext): string {
  const { timeouts } = context;
  switch (timer) {
    case 'ttl':
      return 'the session token expired';
    case 'quiet':
      return `no risk at or above ${context.thresholds.decay} for ${timeouts.quietMs} ms`;
    case 'reauth':
      return `the principal did not re-authenticate within ${timeouts.reauthMs} ms`;
    default:
      return `no approver answered within ${timeouts.approvalMs} ms`;
  }
}

/** The top-level state of a snapshot's value (`{ active: 'awaitingApproval' }` is `active`). */
export function sessionStatus(value: SessionStatus | Partial<Record<SessionStatus, unknown>>): SessionStatus {
  return typeof value === 'string' ? value : (Object.keys(value)[0] as SessionStatus);
}
