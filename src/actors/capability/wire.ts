import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Packr } from 'msgpackr';
import { canonicalJson } from '../../canonical-json.js';
import { CapabilityError, CapabilityErrorCode } from './errors.js';
import type { CapabilityKey } from './key.js';
import { type Capability, CapabilityMethod, MAX_CAPABILITY_BYTES } from './types.js';

/**
 * Wire layout, version 1 (all MessagePack):
 *   capability = [payload: bin, mac: bin(32)]
 *   payload    = [1, sid, server, method, tool, argsDigest: bin(32), exp, policyVersion, nonce: bin(16), callId]
 * The MAC covers `payload` exactly as sent and is checked before the payload is decoded, so hostile
 * bytes never reach the field parser without the server's key.
 */
const VERSION = 1;
const PAYLOAD_FIELDS = 10;
const DIGEST_BYTES = 32;
const NONCE_BYTES = 16;
const MAC_BYTES = 32;
const METHODS: ReadonlySet<string> = new Set(Object.values(CapabilityMethod));

// Plain MessagePack only: no records, bundled strings or extension types.
const packr = new Packr({
  useRecords: false,
  structuredClone: false,
  bundleStrings: false,
  moreTypes: false,
});

/** SHA-256 of the canonical JSON of `args` (`undefined` counts as no arguments, `{}`). */
export function argsDigest(args: unknown): Buffer {
  return createHash('sha256')
    .update(canonicalJson(args ?? {}))
    .digest();
}

export function mac(key: CapabilityKey, payload: Uint8Array): Buffer {
  return createHmac('sha256', key.key).update(payload).digest();
}

export function encodeCapability(key: CapabilityKey, capability: Capability): Uint8Array {
  // Copied out of msgpackr's reusable buffer before the next pack writes into it.
  const payload = Uint8Array.from(
    packr.pack([
      VERSION,
      capability.sid,
      capability.server,
      capability.method,
      capability.tool,
      Buffer.from(capability.argsDigest, 'hex'),
      capability.exp,
      capability.policyVersion,
      Buffer.from(capability.nonce, 'hex'),
      capability.callId,
    ]),
  );
  return Uint8Array.from(packr.pack([payload, mac(key, payload)]));
}

/** Decodes and authenticates; throws `ERR_CAPABILITY_MALFORMED` or `ERR_CAPABILITY_SIGNATURE` only. */
export function decodeCapability(bytes: unknown, key: CapabilityKey): Capability {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength === 0 || bytes.byteLength > MAX_CAPABILITY_BYTES) {
    throw malformed(`expected 1 to ${MAX_CAPABILITY_BYTES} bytes`);
  }
  const frame = unpack(bytes);
  if (!Array.isArray(frame) || frame.length !== 2) throw malformed('it is not [payload, mac]');
  const [payload, tag] = frame as unknown[];
  if (!(payload instanceof Uint8Array) || !(tag instanceof Uint8Array) || tag.byteLength !== MAC_BYTES) {
    throw malformed('it is not [payload, mac]');
  }
  if (!timingSafeEqual(mac(key, payload), tag)) {
    throw new CapabilityError(
      CapabilityErrorCode.Signature,
      `The capability's MAC does not verify under the key of server ${JSON.stringify(key.server)}: it was forged, altered or minted for another server. Ask the session for a new one.`,
    );
  }
  return payloadFields(unpack(payload));
}

function payloadFields(decoded: unknown): Capability {
  if (!Array.isArray(decoded) || decoded.length !== PAYLOAD_FIELDS || decoded[0] !== VERSION) {
    throw malformed(`its payload is not a version ${VERSION} capability`);
  }
  const [, sid, server, method, tool, digest, exp, policyVersion, nonce, callId] = decoded as unknown[];
  if (
    !isText(sid) ||
    !isText(server) ||
    !(typeof method === 'string' && METHODS.has(method)) ||
    !isText(tool) ||
    !isBytes(digest, DIGEST_BYTES) ||
    !(typeof exp === 'number' && Number.isSafeInteger(exp)) ||
    !isText(policyVersion) ||
    !isBytes(nonce, NONCE_BYTES) ||
    !isText(callId)
  ) {
    throw malformed('a payload field is missing or has the wrong type');
  }
  return {
    sid,
    server,
    method: method as CapabilityMethod,
    tool,
    argsDigest: Buffer.from(digest).toString('hex'),
    exp,
    policyVersion,
    nonce: Buffer.from(nonce).toString('hex'),
    callId,
  };
}

function unpack(bytes: Uint8Array): unknown {
  try {
    return packr.unpack(bytes);
  } catch (cause) {
    throw malformed('it is not valid MessagePack', cause);
  }
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isBytes(value: unknown, length: number): value is Uint8Array {
  return value instanceof Uint8Array && value.byteLength === length;
}

function malformed(problem: string, cause?: unknown): CapabilityError {
  return new CapabilityError(
    CapabilityErrorCode.Malformed,
    `The capability is malformed (${problem}); send the bytes the session minted, unchanged.`,
    { cause },
  );
}
