import { createHash } from 'node:crypto';
import { Packr } from 'msgpackr';
import { canonicalJson } from '../../canonical-json.js';
import { type MeshIdentity, SignedPurpose, sealSigned } from '../../pki/signer/index.js';
import { CapabilityError, CapabilityErrorCode } from './errors.js';
import { type Capability, CapabilityMethod } from './types.js';

/**
 * Wire layout, version 2 (all MessagePack): a signed frame (`src/pki/signer`, purpose
 * `trustmesh/capability/v2`) signed by the minting node's key, whose payload is
 *   [2, sid, server, method, tool, argsDigest: bin(32), exp, policyVersion, nonce: bin(16), callId]
 * The signature is checked before the payload is decoded, so hostile bytes never reach the field
 * parser without a node's key.
 */
const VERSION = 2;
const PAYLOAD_FIELDS = 10;
const DIGEST_BYTES = 32;
const NONCE_BYTES = 16;
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

export function encodeCapability(signer: MeshIdentity, capability: Capability): Uint8Array {
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
  return sealSigned(signer, SignedPurpose.Capability, payload);
}

/** The fields of an authenticated payload; throws `ERR_CAPABILITY_MALFORMED` only. */
export function decodeCapabilityPayload(payload: Uint8Array): Capability {
  const decoded = unpack(payload);
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

export function malformed(problem: string, cause?: unknown): CapabilityError {
  return new CapabilityError(
    CapabilityErrorCode.Malformed,
    `The capability is malformed (${problem}); send the bytes the session minted, unchanged.`,
    { cause },
  );
}
