import { TrustmeshError } from '../../errors.js';

/** Why a capability was refused. Stable strings: the broker returns them and audit records keep them. */
export const CapabilityErrorCode = {
  /** Not a capability: wrong shape, wrong field types, truncated or garbage bytes. */
  Malformed: 'ERR_CAPABILITY_MALFORMED',
  /** The MAC does not verify under this server's capability key. */
  Signature: 'ERR_CAPABILITY_SIGNATURE',
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
  /** Key material or options that cannot be used (short secret, bad server name, bad lifetime). */
  InvalidOptions: 'ERR_CAPABILITY_OPTIONS',
} as const;
export type CapabilityErrorCode = (typeof CapabilityErrorCode)[keyof typeof CapabilityErrorCode];

/** The only error minting and verifying capabilities throw. */
export class CapabilityError extends TrustmeshError {
  declare readonly code: CapabilityErrorCode;

  constructor(code: CapabilityErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
