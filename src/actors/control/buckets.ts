import { jetstream } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { APPROVALS_BUCKET, SESSIONS_BUCKET } from './subjects.js';

/** The registry and approvals buckets, created on first use with the same settings by every opener. */
export interface ControlBuckets {
  readonly sessions: KV;
  readonly approvals: KV;
}

export async function openControlBuckets(nc: NatsConnection): Promise<ControlBuckets> {
  const kvm = new Kvm(jetstream(nc));
  const [sessions, approvals] = await Promise.all([
    kvm.create(SESSIONS_BUCKET, { history: 1 }),
    kvm.create(APPROVALS_BUCKET, { history: 1 }),
  ]);
  return { sessions, approvals };
}

/** Every current value of `kv` parsed by `parse`; entries it rejects are skipped. */
export async function readAll<T>(kv: KV, parse: (value: unknown) => T | undefined): Promise<T[]> {
  const keys: string[] = [];
  for await (const key of await kv.keys()) keys.push(key);
  const out: T[] = [];
  for (const key of keys.sort()) {
    const entry = await kv.get(key);
    if (entry?.operation !== 'PUT') continue;
    let value: unknown;
    try {
      value = entry.json();
    } catch {
      continue;
    }
    const parsed = parse(value);
    if (parsed !== undefined) out.push(parsed);
  }
  return out;
}
