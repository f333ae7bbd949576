import { headers, type Msg, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';

/**
 * Why a request was answered without a sealed body. A refusal is unsealed (there may be no channel
 * to seal it with), so it carries only a code from this fixed set: the receiver words the message
 * itself, and a forged refusal can at worst fail a request, never put text in front of an agent.
 */
export const Refusal = {
  /** The message did not verify or was not valid JSON-RPC. */
  Rejected: 'rejected',
  /** The far end closed the session before answering. */
  Closed: 'closed',
  /** The handshake was refused: unknown key, bad signature, wrong session. */
  Untrusted: 'untrusted',
  /** The session already has a channel; a second handshake is refused. */
  Busy: 'busy',
} as const;
export type Refusal = (typeof Refusal)[keyof typeof Refusal];

const REFUSAL_HEADER = 'Tm-Refusal';
const KNOWN = new Set<string>(Object.values(Refusal));

// Refusals are few and identical per code: build each header set once.
const refusalHeaders = new Map<Refusal, MsgHdrs>();

/** Answers `reply` with a refusal. Never throws: the connection may already be gone. */
export function refuse(nc: NatsConnection, reply: string | undefined, refusal: Refusal): void {
  if (!reply) return;
  let h = refusalHeaders.get(refusal);
  if (!h) {
    h = headers();
    h.set(REFUSAL_HEADER, refusal);
    refusalHeaders.set(refusal, h);
  }
  try {
    nc.publish(reply, undefined, { headers: h });
  } catch {
    // Closed or draining connection: the requester learns it from its own connection state.
  }
}

/** The refusal a reply carries, if any; an unknown code reads as `rejected`. */
export function readRefusal(msg: Msg): Refusal | undefined {
  const value = msg.headers?.get(REFUSAL_HEADER);
  if (!value) return undefined;
  return KNOWN.has(value) ? (value as Refusal) : Refusal.Rejected;
}

/** True for the status reply nats-server sends when nobody subscribes to a request's subject. */
export function isNoResponders(msg: Msg): boolean {
  return msg.data.length === 0 && msg.headers?.code === 503;
}
