import type { KeyObject } from 'node:crypto';
import { createHash, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync } from 'node:crypto';
import { EnvelopeError, EnvelopeErrorCode } from './errors.js';
import { hmacKey } from './keys.js';
import type { SigningKey, VerifyingKey } from './types.js';
import { packList } from './wire.js';

/** Bytes in an X25519 public key, a handshake nonce, and a transcript hash. */
export const SHARE_BYTES = 32;

const LABEL = 'trustmesh/channel/v1';
// DER SubjectPublicKeyInfo prefix of an X25519 key; the raw 32-byte key follows it.
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

export interface Ephemeral {
  privateKey: KeyObject;
  /** Raw 32-byte public key, as sent in a hello or welcome. */
  publicKey: Uint8Array;
}

/** Everything both sides saw; the channel keys and ids are bound to all of it. */
export interface Transcript {
  sid: string;
  agentKid: string;
  meshKid: string;
  agentShare: Uint8Array;
  meshShare: Uint8Array;
  agentNonce: Uint8Array;
  meshNonce: Uint8Array;
}

type ChannelKey = SigningKey & VerifyingKey;

export function newEphemeral(): Ephemeral {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return {
    privateKey,
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).subarray(X25519_SPKI_PREFIX.length),
  };
}

/** X25519 with the peer's raw share; refuses shares that are invalid or force an all-zero secret. */
export function agree(own: KeyObject, peerShare: Uint8Array): Buffer {
  let secret: Buffer;
  try {
    const peer = createPublicKey({
      key: Buffer.concat([X25519_SPKI_PREFIX, peerShare]),
      format: 'der',
      type: 'spki',
    });
    secret = diffieHellman({ privateKey: own, publicKey: peer });
  } catch (cause) {
    throw keyAgreementFailed(cause);
  }
  if (secret.every((byte) => byte === 0)) throw keyAgreementFailed();
  return secret;
}

/**
 * HKDF-SHA256 over the shared secret, salted with both nonces, with every transcript field in
 * `info`: one MAC key per direction, and channel key ids derived here, never chosen by a peer.
 */
export function deriveChannelKeys(
  secret: Uint8Array,
  t: Transcript,
): { agentToMesh: ChannelKey; meshToAgent: ChannelKey } {
  const info = packList([
    LABEL,
    t.sid,
    t.agentKid,
    t.meshKid,
    t.agentShare,
    t.meshShare,
    t.agentNonce,
    t.meshNonce,
  ]);
  const salt = Buffer.concat([t.agentNonce, t.meshNonce]);
  const okm = Buffer.from(hkdfSync('sha256', secret, salt, info, 2 * SHARE_BYTES));
  const channelId = createHash('sha256').update(info).digest('base64url').slice(0, 16);
  return {
    agentToMesh: hmacKey(`ch.${channelId}.c2s`, okm.subarray(0, SHARE_BYTES)),
    meshToAgent: hmacKey(`ch.${channelId}.s2c`, okm.subarray(SHARE_BYTES)),
  };
}

export function sha256(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

function keyAgreementFailed(cause?: unknown): EnvelopeError {
  return new EnvelopeError(
    EnvelopeErrorCode.HandshakeKey,
    "the peer's ephemeral key share is invalid or low-order: the handshake was tampered with; start a new one.",
    cause === undefined ? undefined : { cause },
  );
}
