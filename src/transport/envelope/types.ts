/**
 * The envelope contract. Every mesh message is one envelope: a header, an opaque body, and a
 * signature (or, on an established channel, a MAC) over both. This file is the shared contract
 * between the codec, the handshake and the transports.
 */

/** Wire format version this build speaks. */
export const ENVELOPE_VERSION = 1;

/** What an envelope carries. */
export const EnvelopeKind = {
  /** Agent → mesh: opens a channel (asymmetrically signed, carries an ephemeral key share). */
  Hello: 'hello',
  /** Mesh → agent: accepts the channel (asymmetrically signed, carries the other key share). */
  Welcome: 'welcome',
  /** One JSON-RPC message (request, response or notification) on an established channel. */
  Rpc: 'rpc',
} as const;
export type EnvelopeKind = (typeof EnvelopeKind)[keyof typeof EnvelopeKind];

/** W3C trace context carried with a message. */
export interface TraceContext {
  traceparent: string;
  tracestate?: string;
}

export interface EnvelopeHeader {
  /** Wire format version. */
  v: number;
  kind: EnvelopeKind;
  /** Session id the message belongs to. */
  sid: string;
  /** Id of the key that signed (or MACed) this envelope. */
  kid: string;
  /** Per-(sid, kid) strictly increasing sequence number, from 1. */
  seq: number;
  /** Sender's clock, milliseconds since the epoch. */
  ts: number;
  trace?: TraceContext;
}

export interface Envelope {
  header: EnvelopeHeader;
  body: Uint8Array;
}

export const SignatureAlgorithm = {
  Ed25519: 'ed25519',
  P256: 'p256',
  /** Symmetric MAC under a channel key agreed by a signed handshake. */
  HmacSha256: 'hmac-sha256',
} as const;
export type SignatureAlgorithm = (typeof SignatureAlgorithm)[keyof typeof SignatureAlgorithm];

/** Size of every signature (or MAC) each algorithm produces: Ed25519, P-256 as IEEE P1363 r‖s, HMAC-SHA256. */
export const SIGNATURE_BYTES: Readonly<Record<SignatureAlgorithm, number>> = {
  [SignatureAlgorithm.Ed25519]: 64,
  [SignatureAlgorithm.P256]: 64,
  [SignatureAlgorithm.HmacSha256]: 32,
};

/** A key that can sign (or MAC). Keys are imported once into `node:crypto` KeyObjects. */
export interface SigningKey {
  readonly kid: string;
  readonly alg: SignatureAlgorithm;
  sign(data: Uint8Array): Uint8Array;
}

/** The public half (or, for HMAC, the same secret) used to check a signature. */
export interface VerifyingKey {
  readonly kid: string;
  readonly alg: SignatureAlgorithm;
  verify(data: Uint8Array, signature: Uint8Array): boolean;
}

/** Resolves key ids to verifying keys; the receiver's notion of who it trusts. */
export interface KeyResolver {
  get(kid: string): VerifyingKey | undefined;
}
