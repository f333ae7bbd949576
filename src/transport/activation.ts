import { errors, type NatsConnection } from '@nats-io/transport-node';
import { TransportHandshakeError } from './errors.js';

/** What a node answers on `<prefix>.s.<sid>.activate` (the activation queue group). */
const UNKNOWN = 'unknown';
const ELSEWHERE = 'elsewhere';
// Between retries of a hello whose session has a live host elsewhere that did not answer yet.
const RETRY_PAUSE_MS = 50;

/** True for a hello that found no live host: nobody subscribed, or the host did not answer. */
export function hostMissing(cause: unknown): boolean {
  return (
    (cause instanceof errors.RequestError && cause.isNoResponders()) || cause instanceof errors.TimeoutError
  );
}

/**
 * Asks the mesh to bring session `sid` up on some node (one of the activation queue group answers once
 * it hosts the session, or knows which live node does). Throws `TransportHandshakeError` when no node
 * knows the session (it ended) or none runs.
 */
export async function activateSession(
  nc: NatsConnection,
  subject: string,
  sid: string,
  timeoutMs: number,
): Promise<void> {
  let answer: string;
  try {
    answer = new TextDecoder().decode((await nc.request(subject, undefined, { timeout: timeoutMs })).data);
  } catch (cause) {
    if (cause instanceof errors.RequestError && cause.isNoResponders()) {
      throw new TransportHandshakeError(
        `No mesh node serves session ${sid}, and none runs to activate it; start one ('trustmesh node') and open the session on the mesh, then connect.`,
        { cause },
      );
    }
    // A busy mesh: the caller's hello retry decides whether there is time left.
    return;
  }
  if (answer === UNKNOWN) {
    throw new TransportHandshakeError(
      `The mesh does not know session ${sid}: it ended or was never created; open a new session.`,
    );
  }
  // A live host elsewhere that missed our hello (just activated, or stopped and about to lapse): pace the retry.
  if (answer === ELSEWHERE) await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
}
