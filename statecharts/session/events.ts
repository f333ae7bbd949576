import type { Effect, SessionState, Verdict } from '../../src/policy/vocabulary.js';

/** The final state; not a `SessionState` because no call is ever decided in it. */
export const Terminated = 'terminated' as const;
export type Terminated = typeof Terminated;

/** Every state a session can be in. */
export type SessionStatus = SessionState | Terminated;

/** States that ask the policy for a decision (suspended and reauth deny without asking). */
export type DecidingState =
  | typeof SessionState.Active
  | typeof SessionState.Scrutinised
  | typeof SessionState.ReadOnly;

/** Hard signals: each sends a live session straight to `suspended`. */
export const SignalKind = {
  SignatureFailure: 'signature_failure',
  Replay: 'replay',
  CrossSession: 'cross_session',
  RevokedCredential: 'revoked_credential',
  Canary: 'canary',
} as const;
export type SignalKind = (typeof SignalKind)[keyof typeof SignalKind];

/** Deadlines the session keeps in its context, so a restored snapshot can re-arm them. */
export const SessionTimer = { Ttl: 'ttl', Quiet: 'quiet', Reauth: 'reauth', Approval: 'approval' } as const;
export type SessionTimer = (typeof SessionTimer)[keyof typeof SessionTimer];

/** One tool call as the session actor hands it to the machine. */
export interface SessionCall {
  readonly callId: string;
  /** `server.tool` */
  readonly tool: string;
  /** From the tool catalogue; `readOnly` lets only `read` through. */
  readonly effect: Effect;
  /** Digest of the canonical arguments; approvers see it, capabilities bind to it. */
  readonly argsDigest: string;
}

/** What the policy said about a call. */
export interface CallDecision {
  readonly verdict: Verdict;
  /** Which rule decided and why, in words an agent or operator can act on. */
  readonly reason: string;
  readonly rule?: string;
  readonly policyVersion?: string;
}

/** A risk score in [0, 1] with the reasons the monitor (or `assessCall`) gives for it. */
export interface RiskAssessment {
  readonly score: number;
  readonly reasons: readonly string[];
}

/** Every event names the time it happened (ms since epoch); the machine never reads a clock. */
export interface Stamped {
  readonly at: number;
}

export interface OperatorCommand extends Stamped {
  readonly operator: string;
  readonly reason: string;
}

/** Events the session actor, the monitor and operators send. */
export type SessionCommand =
  | ({ readonly type: 'CALL'; readonly call: SessionCall } & Stamped)
  | ({ readonly type: 'RISK'; readonly callId?: string } & RiskAssessment & Stamped)
  | ({ readonly type: 'SIGNAL'; readonly kind: SignalKind; readonly detail: string } & Stamped)
  | ({ readonly type: 'REAUTH_OK'; readonly expiresAt: number } & Stamped)
  | ({ readonly type: 'REAUTH_FAILED'; readonly reason: string } & Stamped)
  | ({ readonly type: 'APPROVAL_GRANTED'; readonly callId: string; readonly approver: string } & Stamped)
  | ({
      readonly type: 'APPROVAL_DENIED';
      readonly callId: string;
      readonly approver: string;
      readonly reason: string;
    } & Stamped)
  | ({ readonly type: 'OPERATOR_RESUME' } & OperatorCommand)
  | ({ readonly type: 'OPERATOR_SCRUTINISE' } & OperatorCommand)
  | ({ readonly type: 'OPERATOR_READONLY' } & OperatorCommand)
  | ({ readonly type: 'OPERATOR_SUSPEND' } & OperatorCommand)
  | ({ readonly type: 'OPERATOR_KILL' } & OperatorCommand)
  /** Sent once after `createActor(machine, { snapshot })`: fires overdue deadlines, re-arms the rest. */
  | ({ readonly type: 'RESTORED' } & Stamped);

/** Events the machine raises to itself; outsiders never send them. */
export type SessionInternalEvent =
  | ({ readonly type: 'session.timeout'; readonly timer: SessionTimer } & Stamped)
  | ({ readonly type: 'session.decide'; readonly call: SessionCall } & Stamped)
  | ({
      readonly type: 'session.decided';
      readonly call: SessionCall;
      readonly decision: CallDecision;
      readonly state: DecidingState;
    } & Stamped);

export type SessionEvent = SessionCommand | SessionInternalEvent;

export type OperatorEventType = Extract<SessionCommand['type'], `OPERATOR_${string}`>;

/** One entry of the session's bounded transition history (`trustmesh sessions inspect`). */
export interface TransitionRecord {
  /** `null` for the entry that started the session. */
  readonly from: SessionStatus | null;
  readonly to: SessionStatus;
  readonly event: string;
  readonly reason: string;
  readonly at: number;
}

/** What the machine tells its host (`actor.on(type, …)`). */
export type SessionEmitted =
  | ({
      readonly type: 'decided';
      readonly callId: string;
      readonly tool: string;
      readonly verdict: Exclude<Verdict, 'needs_approval'>;
      readonly reason: string;
      readonly rule?: string;
      readonly policyVersion?: string;
      readonly state: SessionState;
    } & Stamped)
  | ({
      readonly type: 'approval_requested';
      readonly callId: string;
      readonly tool: string;
      readonly argsDigest: string;
      readonly reason: string;
      readonly state: SessionState;
      readonly deadline: number;
    } & Stamped)
  | { readonly type: 'transitioned'; readonly record: TransitionRecord }
  | ({
      readonly type: 'contained';
      readonly from: SessionStatus;
      readonly to: SessionStatus;
      readonly reason: string;
    } & Stamped);
