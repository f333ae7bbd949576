import { TrustmeshError } from '../../errors.js';

/** Why an approver's ID token was refused. Stable strings for the audit record. */
export const ApproverErrorCode = {
  /** `amr` shows no multi-factor authentication. */
  Mfa: 'ERR_APPROVER_MFA',
  Issuer: 'ERR_APPROVER_ISSUER',
  Audience: 'ERR_APPROVER_AUDIENCE',
  Expired: 'ERR_APPROVER_EXPIRED',
  NotYetValid: 'ERR_APPROVER_NOT_YET_VALID',
  /** Not signed by a key in the provider's JWKS, or with an algorithm outside the allowlist. */
  Signature: 'ERR_APPROVER_SIGNATURE',
  /** The approver is the principal of the session whose call awaits approval. */
  SelfApproval: 'ERR_APPROVER_SELF_APPROVAL',
  Malformed: 'ERR_APPROVER_MALFORMED',
  /** The identity provider's discovery document or JWKS could not be fetched or is inconsistent. */
  Provider: 'ERR_APPROVER_PROVIDER',
} as const;
export type ApproverErrorCode = (typeof ApproverErrorCode)[keyof typeof ApproverErrorCode];

export class ApproverError extends TrustmeshError {
  declare readonly code: ApproverErrorCode;

  constructor(code: ApproverErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

export class ApproverOptionsError extends TrustmeshError {
  constructor(message: string) {
    super('ERR_APPROVER_OPTIONS', message);
  }
}
