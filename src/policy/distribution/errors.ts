import { TrustmeshError } from '../../errors.js';

export const PolicyDistributionErrorCode = {
  /** A bundle in the bucket is not a valid policy; the node keeps the one it has. */
  Rejected: 'ERR_POLICY_BUNDLE_REJECTED',
  /** The bucket holds no bundle and the node was given no policy files to seed it with. */
  Missing: 'ERR_POLICY_BUNDLE_MISSING',
  /** `rollback` names a revision the bucket does not (or no longer) hold. */
  UnknownRevision: 'ERR_POLICY_REVISION_UNKNOWN',
  /** Another push landed between reading the current bundle and writing this one. */
  Conflict: 'ERR_POLICY_PUSH_CONFLICT',
  /** The bucket could not be opened or read (JetStream off, no permission, no quorum). */
  Bucket: 'ERR_POLICY_BUCKET',
} as const;
export type PolicyDistributionErrorCode =
  (typeof PolicyDistributionErrorCode)[keyof typeof PolicyDistributionErrorCode];

export class PolicyDistributionError extends TrustmeshError {
  declare readonly code: PolicyDistributionErrorCode;

  constructor(code: PolicyDistributionErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
