import {
  DisconnectedError,
  MessageRejectedError,
  NoRespondersError,
  RequestTimeoutError,
  TransportClosedError,
  type TransportError,
} from './errors.js';
import { Refusal } from './refusal.js';

/**
 * The errors that stand in for an answer that will not come. Their messages reach the agent as
 * JSON-RPC errors, so each names the session, says what happened and what to do, and nothing more.
 */
export interface FailureContext {
  sid: string;
  /** Who is at the far end: 'MCP server' or 'agent'. */
  peer: string;
}

export function noResponders({ sid, peer }: FailureContext, subject: string): NoRespondersError {
  return new NoRespondersError(
    `No ${peer} is listening on session ${sid} (nobody subscribes to ${subject}); check that the session is open, then reconnect.`,
  );
}

export function timedOut(
  { sid, peer }: FailureContext,
  method: string,
  timeoutMs: number,
): RequestTimeoutError {
  return new RequestTimeoutError(
    `The ${peer} did not answer ${method} within ${timeoutMs} ms on session ${sid}.`,
  );
}

export function disconnected({ sid }: FailureContext): DisconnectedError {
  return new DisconnectedError(
    `The NATS connection of session ${sid} dropped while the request was in flight; retry once it is back.`,
  );
}

export function closedLocally({ sid }: FailureContext): TransportClosedError {
  return new TransportClosedError(`The transport of session ${sid} is closed; connect again to continue.`);
}

/** What a refusal from the far end means for the request `method`. */
export function refused({ sid, peer }: FailureContext, refusal: Refusal, method: string): TransportError {
  if (refusal === Refusal.Closed) {
    return new TransportClosedError(
      `The ${peer} closed session ${sid} before answering ${method}; reconnect.`,
    );
  }
  return new MessageRejectedError(
    `The ${peer} and this end could not verify each other's messages for ${method} on session ${sid} (bad seal, replay or malformed body); reconnect to start a fresh channel.`,
  );
}
