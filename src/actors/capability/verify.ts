import { timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../clock.js';
import { systemClock } from '../../clock.js';
import { CapabilityError, CapabilityErrorCode } from './errors.js';
import type { CapabilityKey } from './key.js';
import type { NonceCache } from './nonce-cache.js';
import { type Capability, CapabilityMethod, MAX_CAPABILITY_LIFETIME_MS } from './types.js';
import { argsDigest, decodeCapability } from './wire.js';

/** The call the capability must match, and the verifier's state. */
export interface VerifyCapabilityOptions {
  readonly server: string;
  /** @default 'tools/call' */
  readonly method?: CapabilityMethod;
  /** Tool or prompt name without the `server.` prefix, or the resource URI. */
  readonly tool: string;
  /** The arguments the call carries. */
  readonly args: unknown;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Where used nonces are remembered; one per verifier. */
  readonly nonces: NonceCache;
}

/**
 * Returns the capability if it authorises exactly this call, now, for the first time. Throws only
 * `CapabilityError` (malformed, signature, wrong tool, expired, args mismatch, replay), whatever the
 * bytes. The nonce is recorded last, so a refused call does not use up its capability.
 */
export function verifyCapability(
  bytes: unknown,
  key: CapabilityKey,
  options: VerifyCapabilityOptions,
): Capability {
  const capability = decodeCapability(bytes, key);
  const method = options.method ?? CapabilityMethod.ToolsCall;
  if (capability.server !== options.server || key.server !== options.server) {
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
  return capability;
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
