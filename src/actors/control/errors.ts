import { TrustmeshError } from '../../errors.js';

/** Stable codes of control-plane failures; replies carry them, `MeshControl` rethrows them. */
export const ControlErrorCode = {
  /** The request body is not JSON or does not have the shape the verb needs. */
  Malformed: 'ERR_CONTROL_MALFORMED',
  /** The subject names a verb the control plane does not know. */
  UnknownVerb: 'ERR_CONTROL_UNKNOWN_VERB',
  /** No node hosts the session. */
  UnknownSession: 'ERR_CONTROL_UNKNOWN_SESSION',
  /** `approve`/`deny` named a call that is not awaiting approval. */
  NoPendingApproval: 'ERR_CONTROL_NO_PENDING_APPROVAL',
  /** `approve`/`deny` reached a node that has no approver identity provider configured. */
  ApproverNotConfigured: 'ERR_CONTROL_APPROVER_NOT_CONFIGURED',
  /** A session with this id is already registered. */
  SessionExists: 'ERR_CONTROL_SESSION_EXISTS',
  /** No mesh node answered in time. */
  Unavailable: 'ERR_CONTROL_UNAVAILABLE',
  /** The node failed while handling the request. */
  Internal: 'ERR_CONTROL_INTERNAL',
} as const;
export type ControlErrorCode = (typeof ControlErrorCode)[keyof typeof ControlErrorCode];

/** Every control-plane failure; switch on `code`. */
export class ControlError extends TrustmeshError {
  declare readonly code: ControlErrorCode;

  constructor(code: ControlErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
