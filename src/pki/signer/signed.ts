import { Packr } from 'msgpackr';
import type { MeshIdentity } from './identity.js';

/**
 * A payload signed by a mesh identity. Wire layout (MessagePack):
 *   [payload: bin, fingerprint: bin(32), signature: bin, certificate: bin]
 * The signature covers `domain || payload`, so bytes signed for one purpose (a capability) never
 * verify as another (a broker response). The leaf certificate travels every time: a receiver that
 * has not seen it yet (a new replica, a restarted node) verifies its chain once and caches it by
 * fingerprint; one that has, ignores it.
 */
export interface SignedFrame {
  readonly payload: Uint8Array;
  readonly fingerprint: Uint8Array;
  readonly signature: Uint8Array;
  readonly certificate: Uint8Array;
}

/** Purposes a mesh identity signs for; each is a distinct signature domain. */
export const SignedPurpose = {
  Capability: 'trustmesh/capability/v2',
  BrokerResponse: 'trustmesh/broker-response/v1',
} as const;
export type SignedPurpose = (typeof SignedPurpose)[keyof typeof SignedPurpose];

const FINGERPRINT_BYTES = 32;
const MAX_SIGNATURE_BYTES = 132;
const DOMAINS = new Map(Object.values(SignedPurpose).map((d) => [d, Buffer.from(`${d}\0`)]));

// Plain MessagePack only: no records, bundled strings or extension types.
const packr = new Packr({
  useRecords: false,
  structuredClone: false,
  bundleStrings: false,
  moreTypes: false,
});

export function signedBytes(purpose: SignedPurpose, payload: Uint8Array): Uint8Array {
  return Buffer.concat([DOMAINS.get(purpose) as Buffer, payload]);
}

export function sealSigned(identity: MeshIdentity, purpose: SignedPurpose, payload: Uint8Array): Uint8Array {
  const signature = identity.sign(signedBytes(purpose, payload));
  return Uint8Array.from(packr.pack([payload, identity.fingerprint, signature, identity.certificate]));
}

/** The frame's parts, or undefined when the bytes are not a signed frame (the caller names the error). */
export function decodeSignedFrame(bytes: Uint8Array): SignedFrame | undefined {
  let frame: unknown;
  try {
    frame = packr.unpack(bytes);
  } catch {
    return undefined;
  }
  if (!Array.isArray(frame) || frame.length !== 4) return undefined;
  const [payload, fingerprint, signature, certificate] = frame as unknown[];
  const ok =
    payload instanceof Uint8Array &&
    fingerprint instanceof Uint8Array &&
    fingerprint.byteLength === FINGERPRINT_BYTES &&
    signature instanceof Uint8Array &&
    signature.byteLength > 0 &&
    signature.byteLength <= MAX_SIGNATURE_BYTES &&
    certificate instanceof Uint8Array;
  return ok ? { payload, fingerprint, signature, certificate } : undefined;
}
