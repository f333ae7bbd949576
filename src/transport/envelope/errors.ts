import { TrustmeshError } from '../../errors.js';

/** Why an envelope or a handshake was refused. Stable strings: callers and audit records switch on them. */
export const EnvelopeErrorCode = {
  /** Truncated, garbage, wrong shape or wrong field types. */
  Malformed: 'ERR_ENVELOPE_MALFORMED',
  /** A wire format version this build does not speak. */
  Version: 'ERR_ENVELOPE_VERSION',
  /** Larger than the receiver's limit. */
  Oversize: 'ERR_ENVELOPE_OVERSIZE',
  /** Signed by a key id the receiver does not trust. */
  UnknownKey: 'ERR_ENVELOPE_UNKNOWN_KEY',
  /** The signature (or MAC) does not verify. */
  Signature: 'ERR_ENVELOPE_SIGNATURE',
  /** Addressed to another session. */
  WrongSession: 'ERR_ENVELOPE_WRONG_SESSION',
  /** A kind the receiver does not accept here. */
  WrongKind: 'ERR_ENVELOPE_WRONG_KIND',
  /** A sequence number already seen, or older than the replay window. */
  Replay: 'ERR_ENVELOPE_REPLAY',
  /** A timestamp outside the allowed clock skew. */
  Stale: 'ERR_ENVELOPE_STALE',
  /** A handshake body that is not the expected ephemeral key share. */
  HandshakeMalformed: 'ERR_HANDSHAKE_MALFORMED',
  /** A welcome that does not answer the hello this side sent. */
  HandshakeTranscript: 'ERR_HANDSHAKE_TRANSCRIPT',
  /** Key agreement failed (invalid or low-order ephemeral key, or a key that cannot sign a handshake). */
  HandshakeKey: 'ERR_HANDSHAKE_KEY',
  /** The handshake was already finished; start a new one. */
  HandshakeState: 'ERR_HANDSHAKE_STATE',
} as const;
export type EnvelopeErrorCode = (typeof EnvelopeErrorCode)[keyof typeof EnvelopeErrorCode];

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(EnvelopeErrorCode));

/** The only error `EnvelopeOpener.open` and the handshake ever throw. */
export class EnvelopeError extends TrustmeshError {
  declare readonly code: EnvelopeErrorCode;

  constructor(code: EnvelopeErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** True for an `EnvelopeError` carrying one of the codes above. */
export function isEnvelopeError(err: unknown): err is EnvelopeError {
  return err instanceof EnvelopeError && KNOWN_CODES.has(err.code);
}

/** A key that cannot be imported or used (bad JWK, unsupported curve, short secret, bad key id). */
export class KeyError extends TrustmeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_KEY_INVALID', message, options);
  }
}

/** Envelope limits or handshake options that are out of range. */
export class EnvelopeOptionsError extends TrustmeshError {
  constructor(message: string) {
    super('ERR_ENVELOPE_OPTIONS', message);
  }
}
