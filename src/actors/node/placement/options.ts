import { hostname } from 'node:os';
import { NodeOptionsError } from '../options.js';

/** How long a node's lease lives without renewal; a dead node's sessions move after at most this. */
export const DEFAULT_LEASE_MS = 1_500;
/** A session without a request for this long is passivated: snapshot written, placement released. */
export const DEFAULT_PASSIVATE_AFTER_MS = 10 * 60_000;

export interface PlacementOptions {
  /** Readable name of the node in the nodes bucket; a random incarnation is appended. @default hostname */
  name?: string;
  /** Lease lifetime (the nodes bucket's TTL); renewed every third of it. @default 1_500 */
  leaseMs?: number;
  /** Replicas of the placement buckets: 3 on a 3-server cluster, so losing one loses nothing. @default 1 */
  replicas?: number;
  /** Idle time before a session is passivated; 0 never passivates. @default 600_000 */
  passivateAfterMs?: number;
}

export type ParsedPlacementOptions = Required<PlacementOptions>;

export function parsePlacementOptions(options: PlacementOptions = {}): ParsedPlacementOptions {
  const parsed = {
    name:
      options.name ??
      (hostname()
        .split('.')[0]
        ?.replace(/[^A-Za-z0-9_-]/g, '-')
        .slice(0, 40) ||
        'node'),
    leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
    replicas: options.replicas ?? 1,
    passivateAfterMs: options.passivateAfterMs ?? DEFAULT_PASSIVATE_AFTER_MS,
  };
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(parsed.name)) {
    invalid(
      `placement.name ${JSON.stringify(parsed.name)} is not a KV key token; use letters, digits, '-' and '_'`,
    );
  }
  if (!(Number.isSafeInteger(parsed.leaseMs) && parsed.leaseMs >= 100)) {
    invalid(`placement.leaseMs is ${parsed.leaseMs}; use a whole number of ms, 100 or more`);
  }
  if (![1, 3, 5].includes(parsed.replicas)) {
    invalid(
      `placement.replicas is ${parsed.replicas}; use 1, 3 or 5 (and at most the number of NATS servers)`,
    );
  }
  if (!(Number.isSafeInteger(parsed.passivateAfterMs) && parsed.passivateAfterMs >= 0)) {
    invalid(
      `placement.passivateAfterMs is ${parsed.passivateAfterMs}; use a whole number of ms (0 never passivates)`,
    );
  }
  return parsed;
}

function invalid(problem: string): never {
  throw new NodeOptionsError(`${problem}.`);
}
