export { ApproverError, ApproverErrorCode, ApproverOptionsError } from './errors.js';
export type { ApprovalContext, ApproverIdentity, ApproverVerifierOptions } from './verify.js';
export { ApproverVerifier, DEFAULT_MFA_METHODS } from './verify.js';
