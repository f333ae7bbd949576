import { createHash, timingSafeEqual } from 'node:crypto';
import {
  decodeSignedFrame,
  type MeshIdentity,
  type MeshTrust,
  SignedPurpose,
  sealSigned,
} from '../../pki/signer/index.js';
import { BrokerError, BrokerErrorCode } from './errors.js';
import { type BrokerResponse, brokerResponseOf, packr, unpack } from './wire.js';

/**
 * A broker's answer, signed by its certificate and bound to the request it answers. Payload, version 1:
 *   [1, requestDigest: bin(32) = SHA-256 of the request bytes as received, response: { result } | { error }]
 * Binding the digest means an answer cannot be replayed to another call, nor a refusal swapped for a
 * result, even by something that can publish into the caller's inbox.
 */
const VERSION = 1;

export function sealBrokerResponse(
  broker: MeshIdentity,
  request: Uint8Array,
  response: BrokerResponse,
): Uint8Array {
  const payload = Uint8Array.from(packr.pack([VERSION, requestDigest(request), response]));
  return sealSigned(broker, SignedPurpose.BrokerResponse, payload);
}

/**
 * Verifies that the broker of `server` signed this answer to exactly `request`, and decodes it.
 * Rejects with `SignerError` (who signed it) or `BrokerError` `ERR_BROKER_BAD_RESPONSE` (what it is).
 */
export async function openBrokerResponse(
  bytes: Uint8Array,
  request: Uint8Array,
  trust: MeshTrust,
  server: string,
): Promise<BrokerResponse> {
  const frame = decodeSignedFrame(bytes);
  if (frame === undefined) throw badResponse('it is not a signed broker answer');
  await trust.verify(frame, SignedPurpose.BrokerResponse, { kind: 'broker', name: server });
  const value = unpack(frame.payload, BrokerErrorCode.BadResponse);
  if (!Array.isArray(value) || value.length !== 3 || value[0] !== VERSION) {
    throw badResponse(`its payload is not a version ${VERSION} broker answer`);
  }
  const [, digest, response] = value as unknown[];
  const expected = requestDigest(request);
  if (!(digest instanceof Uint8Array && digest.byteLength === expected.byteLength)) {
    throw badResponse('it names no request');
  }
  if (!timingSafeEqual(digest, expected)) throw badResponse('it answers another request');
  return brokerResponseOf(response);
}

function requestDigest(request: Uint8Array): Buffer {
  return createHash('sha256').update(request).digest();
}

function badResponse(problem: string): BrokerError {
  return new BrokerError(
    BrokerErrorCode.BadResponse,
    `The broker's answer is refused: ${problem}. Retry the call; if it repeats, something on the mesh is tampering with broker traffic.`,
  );
}
