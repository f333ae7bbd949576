import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';

/** sid → public nkey of the session's NATS user, written by `session create`, read on suspend and kill. */
export const SESSION_USERS_BUCKET = 'trustmesh_session_users';

/** Opens (creating when missing) the bucket naming each session's NATS user. */
export function openSessionUsers(nc: NatsConnection): Promise<KV> {
  return new Kvm(nc).create(SESSION_USERS_BUCKET, { history: 1 });
}

/** Records the NATS user issued to `sid`, so the node hosting it can revoke it. */
export async function recordSessionUser(kv: KV, sid: string, publicKey: string): Promise<void> {
  await kv.put(sid, publicKey);
}

/** The NATS user of `sid`, or undefined for a session created without per-session credentials. */
export async function sessionUserOf(kv: KV, sid: string): Promise<string | undefined> {
  const entry = await kv.get(sid);
  return entry && entry.operation === 'PUT' ? entry.string() : undefined;
}

/** Drops the entry of a session that has ended for good. */
export async function forgetSessionUser(kv: KV, sid: string): Promise<void> {
  await kv.purge(sid);
}
