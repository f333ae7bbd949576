import { jetstream } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';

/** Live node incarnations: key = node id; NATS expires an entry its node stopped renewing (bucket TTL). */
export const NODES_BUCKET = 'trustmesh_nodes';
/** Where each session lives and its snapshot: key = sid, value = `PlacementRecord` JSON. */
export const PLACEMENT_BUCKET = 'trustmesh_placement';

export interface PlacementBuckets {
  readonly nodes: KV;
  readonly placement: KV;
}

/**
 * Opens (creating on first use) both buckets. `leaseMs` is the nodes bucket's TTL: every node of a
 * mesh must use the same one, and the first opener's setting stays.
 */
export async function openPlacementBuckets(
  nc: NatsConnection,
  options: { leaseMs: number; replicas: number },
): Promise<PlacementBuckets> {
  const kvm = new Kvm(jetstream(nc));
  const [nodes, placement] = await Promise.all([
    kvm.create(NODES_BUCKET, { history: 1, ttl: options.leaseMs, replicas: options.replicas }),
    kvm.create(PLACEMENT_BUCKET, { history: 1, replicas: options.replicas }),
  ]);
  return { nodes, placement };
}
