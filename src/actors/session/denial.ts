import type { TokenErrorCode } from '../../pki/tokens/index.js';
import { type ReasonCode, Rule, SessionState, Verdict } from '../../policy/index.js';
import { ApprovalStatus } from '../control/index.js';
import type { CallInFlight, DecidedEvent } from './calls.js';
import { CallRefusedError, MeshDenial, SessionRpcCode } from './errors.js';

/** `data` of a denied call's JSON-RPC error. */
export interface DenialData {
  /** A policy `ReasonCode`, a `MeshDenial`, or the `TokenErrorCode` of a refused session token. */
  readonly reason: ReasonCode | MeshDenial | TokenErrorCode;
  /** `file:line` of the deciding rule, or `session-state`, `default`, `mesh`, `session-token`. */
  readonly rule: string;
  readonly policyVersion: string | null;
  /** The state the call was decided in. */
  readonly state: string;
}

const STATE_REASON: Readonly<Record<string, ReasonCode>> = {
  [SessionState.Suspended]: 'DENY_STATE_SUSPENDED',
  [SessionState.Reauth]: 'DENY_STATE_REAUTH',
  [SessionState.ReadOnly]: 'DENY_STATE_READONLY',
};

const APPROVAL_REASON: Readonly<Partial<Record<ApprovalStatus, MeshDenial>>> = {
  [ApprovalStatus.Denied]: MeshDenial.ApprovalDenied,
  [ApprovalStatus.TimedOut]: MeshDenial.ApprovalTimedOut,
  [ApprovalStatus.Abandoned]: MeshDenial.ApprovalAbandoned,
};

/** Which code explains the denial: the policy's own, the approval's outcome, or the state floor. */
function denialReason(event: DecidedEvent, flight: CallInFlight | undefined): ReasonCode | MeshDenial {
  const decision = flight?.decision;
  if (decision?.verdict === Verdict.Deny) return decision.reason;
  if (flight?.approval) return APPROVAL_REASON[flight.approval.outcome ?? ApprovalStatus.Abandoned]!;
  if (decision) return MeshDenial.ApprovalBusy;
  return STATE_REASON[event.state] ?? MeshDenial.SessionTerminated;
}

/**
 * The agent's error for a denied call: which rule, why, what to do, and the stable codes in `data`.
 * Never a bare "forbidden", never a local stack.
 */
export function denialError(event: DecidedEvent, flight: CallInFlight | undefined): CallRefusedError {
  const reason = denialReason(event, flight);
  const rule = event.rule ?? flight?.decision?.rule ?? Rule.SessionState;
  const data: DenialData = {
    reason,
    rule,
    policyVersion: event.policyVersion ?? flight?.decision?.policyVersion ?? null,
    state: event.state,
  };
  const message = `${event.tool} was denied by rule ${rule} (${reason}) in session state ${event.state}: ${event.reason}.`;
  return new CallRefusedError(SessionRpcCode.Denied, message, data);
}

/**
 * The agent's error for an allowed call refused because its audit record could not be written (fail
 * closed): the policy allowed it, the mesh did not run it.
 */
export function auditRefusedError(
  tool: string,
  decided: { readonly policyVersion: string; readonly state: string },
): CallRefusedError {
  const data: DenialData = {
    reason: MeshDenial.AuditUnavailable,
    rule: Rule.Mesh,
    policyVersion: decided.policyVersion,
    state: decided.state,
  };
  const message = `${tool} was refused (${MeshDenial.AuditUnavailable}): its audit record could not be written, and no call runs unaudited. Retry later; the operator must fix the node's audit log (disk space, permissions) first.`;
  return new CallRefusedError(SessionRpcCode.Denied, message, data);
}

/** The agent's error for an allowed call the broker could not run. */
export function toolFailedError(tool: string, why: string): CallRefusedError {
  return new CallRefusedError(SessionRpcCode.ToolFailed, `${tool} was allowed but could not run: ${why}`);
}
