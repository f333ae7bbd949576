import { TrustmeshError } from '../../errors.js';

/**
 * JSON-RPC error codes the session actor answers an agent with (the implementation-defined server
 * range). Agents switch on these and on `data.reason`, never on the message.
 */
export const SessionRpcCode = {
  /** Policy, the session's state or an approver refused the call. `data`: `DenialData`. */
  Denied: -32001,
  /** The call was allowed but the tool broker could not run it (no broker, timeout, refusal). */
  ToolFailed: -32002,
} as const;
export type SessionRpcCode = (typeof SessionRpcCode)[keyof typeof SessionRpcCode];

/** Why a call was denied when no policy rule did it: the approval step or the session's end. */
export const MeshDenial = {
  ApprovalDenied: 'APPROVAL_DENIED',
  ApprovalTimedOut: 'APPROVAL_TIMED_OUT',
  /** The session's containment changed while the call waited for its approver. */
  ApprovalAbandoned: 'APPROVAL_ABANDONED',
  /** Another call of the session holds the approval slot. */
  ApprovalBusy: 'APPROVAL_BUSY',
  SessionTerminated: 'SESSION_TERMINATED',
  /** The call's audit record could not be made durable: nothing runs unaudited. */
  AuditUnavailable: 'AUDIT_UNAVAILABLE',
} as const;
export type MeshDenial = (typeof MeshDenial)[keyof typeof MeshDenial];

export const SessionErrorCode = {
  InvalidOptions: 'ERR_SESSION_OPTIONS',
  Closed: 'ERR_SESSION_CLOSED',
  /** A request's session token was refused (the cause is the TokenError). */
  TokenRefused: 'ERR_SESSION_TOKEN_REFUSED',
} as const;
export type SessionErrorCode = (typeof SessionErrorCode)[keyof typeof SessionErrorCode];

/** Failures of the session actor itself (never sent raw to an agent). */
export class SessionActorError extends TrustmeshError {
  declare readonly code: SessionErrorCode;

  constructor(code: SessionErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * A JSON-RPC error for the agent, thrown from a request handler: the SDK sends `code`, `message` and
 * `data` as they are (an `McpError` would prefix its code to the message, which the client prefixes again).
 */
export class CallRefusedError extends Error {
  constructor(
    readonly code: SessionRpcCode,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'CallRefusedError';
  }
}
