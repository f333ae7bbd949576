export type { EnvelopeLimits, OpenExpectation } from './codec.js';
export {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_CLOCK_SKEW_MS,
  DEFAULT_REPLAY_WINDOW,
  EnvelopeOpener,
  EnvelopeSealer,
  parseEnvelopeLimits,
} from './codec.js';
export {
  EnvelopeError,
  EnvelopeErrorCode,
  EnvelopeOptionsError,
  isEnvelopeError,
  KeyError,
} from './errors.js';
export type { AgentHandshake, Channel, HandshakeOptions, MeshHandshake } from './handshake.js';
export { acceptHandshake, startHandshake } from './handshake.js';
export type { AsymmetricAlgorithm } from './jwk.js';
export { jwkThumbprint } from './jwk.js';
export type { KeyPair } from './keys.js';
export { generateKeyPair, hmacKey, importSigningKey, importVerifyingKey, KeyRing } from './keys.js';
export type {
  Envelope,
  EnvelopeHeader,
  KeyResolver,
  SigningKey,
  TraceContext,
  VerifyingKey,
} from './types.js';
export { ENVELOPE_VERSION, EnvelopeKind, SignatureAlgorithm } from './types.js';
export { ENVELOPE_OVERHEAD_BYTES } from './wire.js';
