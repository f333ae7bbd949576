import { TrustmeshError } from '../../errors.js';

/** Stable codes of every broker failure; callers and audit records switch on them. */
export const BrokerErrorCode = {
  /** Broker options that are missing, out of range or contradict each other. */
  InvalidOptions: 'ERR_BROKER_OPTIONS',
  /** A server name that is not one safe subject token. */
  InvalidServerName: 'ERR_BROKER_INVALID_SERVER_NAME',
  /** A stdio command whose basename is not on the allowlist. */
  CommandNotAllowed: 'ERR_BROKER_COMMAND_NOT_ALLOWED',
  /** A request that is not `{ capability, method, params }` with the method's parameters. */
  BadRequest: 'ERR_BROKER_BAD_REQUEST',
  /** A broker answer that is not `{ result }` or `{ error: { code, message } }`. */
  BadResponse: 'ERR_BROKER_BAD_RESPONSE',
  /** Definitions changed or carry injection markers: every call is refused until approved. */
  Quarantined: 'ERR_BROKER_QUARANTINED',
  /** Not connected to its server (connecting, or failed and retrying). */
  Unavailable: 'ERR_BROKER_UNAVAILABLE',
  /** Draining or stopped: it finishes what it has and takes nothing new. */
  Draining: 'ERR_BROKER_DRAINING',
  /** The tool (or prompt) is not in the server's pinned catalogue. */
  UnknownTool: 'ERR_BROKER_UNKNOWN_TOOL',
  /** The arguments do not match the tool's pinned input schema. */
  InvalidArguments: 'ERR_BROKER_INVALID_ARGUMENTS',
  /** The server answered with a JSON-RPC error. */
  UpstreamError: 'ERR_BROKER_UPSTREAM_ERROR',
  /** The server exited or the connection to it broke during the call. */
  UpstreamExited: 'ERR_BROKER_UPSTREAM_EXITED',
  /** The server did not answer within the call timeout. */
  UpstreamTimeout: 'ERR_BROKER_UPSTREAM_TIMEOUT',
  /** The server's answer is larger than the broker forwards. */
  ResponseTooLarge: 'ERR_BROKER_RESPONSE_TOO_LARGE',
  /** The listing an operator approved is no longer what the server lists. */
  ApprovalStale: 'ERR_BROKER_APPROVAL_STALE',
  /** A fault inside the broker; its details are never sent to the caller. */
  Internal: 'ERR_BROKER_INTERNAL',
  /** The pin store could not be read or written. */
  PinStore: 'ERR_BROKER_PIN_STORE',
} as const;
export type BrokerErrorCode = (typeof BrokerErrorCode)[keyof typeof BrokerErrorCode];

/** Every broker failure; `code` says which. */
export class BrokerError extends TrustmeshError {
  declare readonly code: BrokerErrorCode;

  constructor(code: BrokerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
