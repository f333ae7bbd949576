import { TrustmeshError } from '../../errors.js';

/**
 * Why a capability was refused. Stable strings: the broker returns them and audit records keep them.
 * Who signed it is checked first, with `SignerError` codes (`ERR_SIGNER_*`).
 */
export const CapabilityErrorCode = {
  /** Not a capability: wrong shape, wrong field types, truncated or garbage bytes. */
  Malformed: 'ERR_CAPABILITY_MALFORMED',
  /** Past its expiry, or valid for longer than a capability may ever be. */
  Expired: 'ERR_CAPABILITY_EXPIRED',
  /** Minted for another server, method or tool. */
  WrongTool: 'ERR_CAPABILITY_WRONG_TOOL',
  /** The call's arguments are not the ones the capability was minted for. */
  ArgsMismatch: 'ERR_CAPABILITY_ARGS_MISMATCH',
  /** Its nonce was already used. */
  Replay: 'ERR_CAPABILITY_REPLAY',
  /** The nonce cache holds as many live capabilities as it may; nothing is accepted until some expire. */
  NonceCacheFull: 'ERR_CAPABILITY_NONCE_CACHE_FULL',
  /** Fields or options that cannot be used (empty fields, bad server name, bad lifetime, a signer that is no node). */
  InvalidOptions: 'ERR_CAPABILITY_OPTIONS',
} as const;
export type CapabilityErrorCode = (typeof CapabilityErrorCode)[keyof typeof CapabilityErrorCode];

/** What minting and verifying capabilities throw, besides `SignerError` for the signature. */
export class CapabilityError extends TrustmeshError {
  declare readonly code: CapabilityErrorCode;

  constructor(code: CapabilityErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
