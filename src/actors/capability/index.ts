export { CapabilityError, CapabilityErrorCode } from './errors.js';
export type { MintFields } from './mint.js';
export { mintCapability } from './mint.js';
export type { NonceCacheOptions } from './nonce-cache.js';
export { DEFAULT_NONCE_CACHE_ENTRIES, NonceCache } from './nonce-cache.js';
export { isServerName } from './server-name.js';
export type { Capability } from './types.js';
export {
  CapabilityMethod,
  DEFAULT_CAPABILITY_TTL_MS,
  MAX_CAPABILITY_BYTES,
  MAX_CAPABILITY_LIFETIME_MS,
} from './types.js';
export type { VerifiedCapability, VerifyCapabilityOptions } from './verify.js';
export { verifyCapability } from './verify.js';
export { argsDigest } from './wire.js';
