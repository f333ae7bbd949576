import { randomFillSync } from 'node:crypto';
import type { Clock } from '../../clock.js';
import { systemClock } from '../../clock.js';
import type { MeshIdentity } from '../../pki/signer/index.js';
import { CapabilityError, CapabilityErrorCode } from './errors.js';
import { isServerName } from './server-name.js';
import {
  type Capability,
  CapabilityMethod,
  DEFAULT_CAPABILITY_TTL_MS,
  MAX_CAPABILITY_LIFETIME_MS,
} from './types.js';
import { argsDigest, encodeCapability } from './wire.js';

/** What the session actor decided; the nonce and expiry are minted here. */
export interface MintFields {
  readonly sid: string;
  /** The server whose broker may spend it. */
  readonly server: string;
  /** @default 'tools/call' */
  readonly method?: CapabilityMethod;
  /** Tool or prompt name without the `server.` prefix, or the resource URI. */
  readonly tool: string;
  /** The call's arguments exactly as they will be sent (digested as canonical JSON). */
  readonly args: unknown;
  readonly policyVersion: string;
  readonly callId: string;
  /** Lifetime in ms, at most `MAX_CAPABILITY_LIFETIME_MS`. @default 10_000 */
  readonly ttlMs?: number;
}

/** A capability for exactly one call, signed by the node certificate `signer`. */
export function mintCapability(
  signer: MeshIdentity,
  fields: MintFields,
  clock: Clock = systemClock,
): Uint8Array {
  const ttlMs = fields.ttlMs ?? DEFAULT_CAPABILITY_TTL_MS;
  if (!(Number.isSafeInteger(ttlMs) && ttlMs > 0 && ttlMs <= MAX_CAPABILITY_LIFETIME_MS)) {
    throw invalid(`ttlMs is ${ttlMs}; use an integer from 1 to ${MAX_CAPABILITY_LIFETIME_MS}`);
  }
  if (!isServerName(fields.server))
    invalid(`server ${JSON.stringify(fields.server)} is not one safe subject token`);
  for (const name of ['sid', 'tool', 'policyVersion', 'callId'] as const) {
    if (typeof fields[name] !== 'string' || fields[name].length === 0) invalid(`${name} is empty`);
  }
  let digest: Buffer;
  try {
    digest = argsDigest(fields.args);
  } catch (cause) {
    throw invalid(`args are not plain JSON (${(cause as Error).message})`);
  }
  const capability: Capability = {
    sid: fields.sid,
    server: fields.server,
    method: fields.method ?? CapabilityMethod.ToolsCall,
    tool: fields.tool,
    argsDigest: digest.toString('hex'),
    exp: clock() + ttlMs,
    policyVersion: fields.policyVersion,
    nonce: nonce(),
    callId: fields.callId,
  };
  return encodeCapability(signer, capability);
}

function invalid(problem: string): never {
  throw new CapabilityError(CapabilityErrorCode.InvalidOptions, `Cannot mint a capability: ${problem}.`);
}

// One CSPRNG fill serves 256 nonces: a fill per mint costs more than the rest of minting.
const NONCE_BYTES = 16;
const pool = Buffer.alloc(NONCE_BYTES * 256);
let poolOffset = pool.length;

function nonce(): string {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + NONCE_BYTES);
  poolOffset += NONCE_BYTES;
  return hex;
}
