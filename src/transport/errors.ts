import { TrustmeshError } from '../errors.js';

/** Stable codes of every transport failure; `err.code` is one of these. */
export const TransportErrorCode = {
  InvalidSubjectToken: 'ERR_TRANSPORT_INVALID_SUBJECT_TOKEN',
  InvalidOptions: 'ERR_TRANSPORT_INVALID_OPTIONS',
  AlreadyStarted: 'ERR_TRANSPORT_ALREADY_STARTED',
  NotStarted: 'ERR_TRANSPORT_NOT_STARTED',
  Closed: 'ERR_TRANSPORT_CLOSED',
  NoResponders: 'ERR_TRANSPORT_NO_RESPONDERS',
  Timeout: 'ERR_TRANSPORT_TIMEOUT',
  Disconnected: 'ERR_TRANSPORT_DISCONNECTED',
  Handshake: 'ERR_TRANSPORT_HANDSHAKE',
  InvalidMessage: 'ERR_TRANSPORT_INVALID_MESSAGE',
  Rejected: 'ERR_TRANSPORT_REJECTED',
  UnknownResponse: 'ERR_TRANSPORT_UNKNOWN_RESPONSE',
  Publish: 'ERR_TRANSPORT_PUBLISH',
  OutcomeUnknown: 'ERR_TRANSPORT_OUTCOME_UNKNOWN',
} as const;
export type TransportErrorCode = (typeof TransportErrorCode)[keyof typeof TransportErrorCode];

/** Every failure of the NATS MCP transport; switch on `code`. */
export class TransportError extends TrustmeshError {
  declare readonly code: TransportErrorCode;

  constructor(code: TransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A session id or subject prefix that is not one safe NATS subject token. */
export class InvalidSubjectTokenError extends TransportError {
  constructor(message: string) {
    super(TransportErrorCode.InvalidSubjectToken, message);
  }
}

/** Transport options that are missing, out of range or contradict each other. */
export class TransportOptionsError extends TransportError {
  constructor(message: string) {
    super(TransportErrorCode.InvalidOptions, message);
  }
}

/** `start()` called on a transport that was already started. */
export class TransportAlreadyStartedError extends TransportError {
  constructor(message: string) {
    super(TransportErrorCode.AlreadyStarted, message);
  }
}

/** `send()` before the transport is started and its channel is up. */
export class TransportNotStartedError extends TransportError {
  constructor(message: string) {
    super(TransportErrorCode.NotStarted, message);
  }
}

/** This transport, or the one at the far end, is closed. */
export class TransportClosedError extends TransportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(TransportErrorCode.Closed, message, options);
  }
}

/** Nobody subscribes to the subject: the far end is not running or already gone. */
export class NoRespondersError extends TransportError {
  constructor(message: string) {
    super(TransportErrorCode.NoResponders, message);
  }
}

/**
 * The session moved to another node while the request was in flight: the old host may or may not have
 * run it, and it is never sent again.
 */
export class OutcomeUnknownError extends TransportError {
  constructor(message: string) {
    super(TransportErrorCode.OutcomeUnknown, message);
  }
}

/** The far end did not answer a request in time. */
export class RequestTimeoutError extends TransportError {
  constructor(message: string) {
    super(TransportErrorCode.Timeout, message);
  }
}

/** The NATS connection dropped while requests were in flight. */
export class DisconnectedError extends TransportError {
  constructor(message: string) {
    super(TransportErrorCode.Disconnected, message);
  }
}

/** The far end refused our message: it did not verify or was not valid JSON-RPC. */
export class MessageRejectedError extends TransportError {
  constructor(message: string) {
    super(TransportErrorCode.Rejected, message);
  }
}

/** Publishing to NATS failed (connection closed or draining, subject refused). */
export class PublishError extends TransportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(TransportErrorCode.Publish, message, options);
  }
}

/** The opening handshake failed: no mesh answered, the peer refused us, or its answer did not verify. */
export class TransportHandshakeError extends TransportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(TransportErrorCode.Handshake, message, options);
  }
}

/** A message whose body is not one valid JSON-RPC message, or that came on the wrong subject. */
export class InvalidRpcMessageError extends TransportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(TransportErrorCode.InvalidMessage, message, options);
  }
}

/** A response for which no request is pending (late after a timeout, or unsolicited). */
export class UnknownResponseError extends TransportError {
  constructor(message: string) {
    super(TransportErrorCode.UnknownResponse, message);
  }
}
