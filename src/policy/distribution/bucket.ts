import { type KV, type KvEntry, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import type { PolicyFile } from '../format/read-file.js';
import { PolicyDistributionError, PolicyDistributionErrorCode } from './errors.js';

/** JetStream KV bucket of policy bundles: one key, its history is the list of pushed versions. */
export const POLICY_BUCKET = 'trustmesh_policy';
export const POLICY_KEY = 'bundle';
/** The most revisions NATS KV keeps per key: what `policy history` lists and `rollback` can reach. */
export const POLICY_HISTORY = 64;

const FILE_BYTES_MAX = 512 * 1024;

/** What the bucket stores under `bundle`: the policy sources, so every node compiles the same bytes. */
export const StoredBundleSchema = z
  .object({
    format: z.literal(1),
    /** `sha256:<hex>` of `files`, as `policyVersion` computes it; nodes recompute and compare. */
    version: z.string().regex(/^sha256:[0-9a-f]{64}$/),
    files: z
      .array(z.object({ name: z.string().min(1).max(256), text: z.string().max(FILE_BYTES_MAX) }).strict())
      .min(1),
    pushedAt: z.number().int().nonnegative(),
    pushedBy: z.string().min(1).max(256),
  })
  .strict();
export type StoredBundle = z.infer<typeof StoredBundleSchema>;

/** A stored bundle and the KV revision that holds it. */
export interface BundleRevision {
  readonly revision: number;
  readonly stored: StoredBundle;
}

export interface PolicyBucketOptions {
  /** Replicas when this call creates the bucket (3 on a 3-node cluster); an existing one is kept. @default 1 */
  replicas?: number;
}

/** Opens the policy bucket, creating it (with full history) on first use. */
export async function openPolicyBucket(nc: NatsConnection, options: PolicyBucketOptions = {}): Promise<KV> {
  try {
    return await new Kvm(nc).create(POLICY_BUCKET, {
      history: POLICY_HISTORY,
      replicas: options.replicas ?? 1,
    });
  } catch (cause) {
    throw new PolicyDistributionError(
      PolicyDistributionErrorCode.Bucket,
      `cannot open the policy bucket '${POLICY_BUCKET}' (${(cause as Error).message}); ` +
        'check that the NATS server runs JetStream and that this user may use $JS.API and $KV.',
      { cause },
    );
  }
}

export function encodeBundle(stored: StoredBundle): string {
  return JSON.stringify(stored);
}

/** The entry's bundle, or a Rejected error saying what is wrong with it. */
export function decodeBundle(entry: Pick<KvEntry, 'revision' | 'string'>): BundleRevision {
  let value: unknown;
  try {
    value = JSON.parse(entry.string());
  } catch {
    value = undefined;
  }
  const parsed = StoredBundleSchema.safeParse(value);
  if (!parsed.success) {
    throw new PolicyDistributionError(
      PolicyDistributionErrorCode.Rejected,
      `policy bundle revision ${entry.revision} is not a stored bundle (${parsed.error.issues[0]?.message ?? 'not JSON'}); ` +
        "push policy only with 'trustmesh policy push', which writes this format.",
    );
  }
  return { revision: entry.revision, stored: parsed.data };
}

export function filesOf(stored: StoredBundle): PolicyFile[] {
  return stored.files.map(({ name, text }) => ({ name, text }));
}
