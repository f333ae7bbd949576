import { timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../clock.js';
import { systemClock } from '../../clock.js';
import { decodeSignedFrame, type MeshTrust, SignedPurpose, type SignerName } from '../../pki/signer/index.js';
import { CapabilityError, CapabilityErrorCode } from './errors.js';
import type { NonceCache } from './nonce-cache.js';
import {
  type Capability,
  CapabilityMethod,
  MAX_CAPABILITY_BYTES,
  MAX_CAPABILITY_LIFETIME_MS,
} from './types.js';
import { argsDigest, decodeCapabilityPayload, malformed } from './wire.js';

/** The call the capability must match, and the verifier's state. */
export interface VerifyCapabilityOptions {
  readonly server: string;
  /** @default 'tools/call' */
  readonly method?: CapabilityMethod;
  /** Tool or prompt name without the `server.` prefix, or the resource URI. */
  readonly tool: string;
  /** The arguments the call carries. */
  readonly args: unknown;
  /** Checks the minting node's certificate and signature. */
  readonly trust: MeshTrust;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Where used nonces are remembered; one per verifier. */
  readonly nonces: NonceCache;
}

/** An accepted capability and the node that minted it. */
export interface VerifiedCapability {
  readonly capability: Capability;
  readonly signer: SignerName;
}

/**
 * Resolves to the capability if a mesh node signed it and it authorises exactly this call, now, for
 * the first time. Rejects only with `SignerError` (untrusted, expired, revoked, wrong kind, signature)
 * or `CapabilityError` (malformed, wrong tool, expired, args mismatch, replay), whatever the bytes.
 * The nonce is recorded last, so a refused call does not use up its capability.
 */
export async function verifyCapability(
  bytes: unknown,
  options: VerifyCapabilityOptions,
): Promise<VerifiedCapability> {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength === 0 || bytes.byteLength > MAX_CAPABILITY_BYTES) {
    throw malformed(`expected 1 to ${MAX_CAPABILITY_BYTES} bytes`);
  }
  const frame = decodeSignedFrame(bytes);
  if (frame === undefined)
    throw malformed('it is not a signed frame [payload, fingerprint, signature, certificate]');
  const signer = await options.trust.verify(frame, SignedPurpose.Capability, { kind: 'node' });
  const capability = decodeCapabilityPayload(frame.payload);
  const method = options.method ?? CapabilityMethod.ToolsCall;
  if (capability.server !== options.server) {
    throw wrongTool(
      `server ${JSON.stringify(capability.server)}`,
      `server ${JSON.stringify(options.server)}`,
    );
  }
  if (capability.method !== method || capability.tool !== options.tool) {
    throw wrongTool(
      `${capability.method} ${JSON.stringify(capability.tool)}`,
      `${method} ${JSON.stringify(options.tool)}`,
    );
  }
  const now = (options.clock ?? systemClock)();
  if (capability.exp < now) {
    throw new CapabilityError(
      CapabilityErrorCode.Expired,
      `The capability expired ${now - capability.exp} ms ago; ask the session for a new one (and check the clocks of mesh nodes if this repeats).`,
    );
  }
  if (capability.exp - now > MAX_CAPABILITY_LIFETIME_MS) {
    throw new CapabilityError(
      CapabilityErrorCode.Expired,
      `The capability is valid for ${capability.exp - now} ms, longer than the ${MAX_CAPABILITY_LIFETIME_MS} ms any capability may live; the minting node's clock is ahead of this broker's. Synchronise the clocks.`,
    );
  }
  if (!digestMatches(capability.argsDigest, options.args)) {
    throw new CapabilityError(
      CapabilityErrorCode.ArgsMismatch,
      'The call carries other arguments than the ones the capability was minted for; the session must authorise these arguments.',
    );
  }
  options.nonces.use(capability.nonce, capability.exp, now);
  return { capability, signer };
}

function digestMatches(expectedHex: string, args: unknown): boolean {
  let actual: Buffer;
  try {
    actual = argsDigest(args);
  } catch {
    return false;
  }
  return timingSafeEqual(actual, Buffer.from(expectedHex, 'hex'));
}

function wrongTool(minted: string, called: string): CapabilityError {
  return new CapabilityError(
    CapabilityErrorCode.WrongTool,
    `The capability was minted for ${minted}, but the call is for ${called}; the session must authorise this call.`,
  );
}
