import { TrustmeshError } from '../../errors.js';

/** Stable codes of every NATS credential failure; `err.code` is one of these. */
export const NatsAuthErrorCode = {
  InvalidOptions: 'ERR_NATS_AUTH_OPTIONS',
  InvalidInput: 'ERR_NATS_AUTH_INPUT',
  State: 'ERR_NATS_AUTH_STATE',
  InvalidKey: 'ERR_NATS_AUTH_KEY',
  InvalidJwt: 'ERR_NATS_AUTH_JWT',
  Push: 'ERR_NATS_AUTH_PUSH',
} as const;
export type NatsAuthErrorCode = (typeof NatsAuthErrorCode)[keyof typeof NatsAuthErrorCode];

/** Every failure of the NATS credential authority; switch on `code`. */
export class NatsAuthError extends TrustmeshError {
  declare readonly code: NatsAuthErrorCode;

  constructor(code: NatsAuthErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Authority options that are missing, out of range or contradict each other. */
export class NatsAuthOptionsError extends NatsAuthError {
  constructor(message: string) {
    super(NatsAuthErrorCode.InvalidOptions, message);
  }
}

/** A request to issue or revoke credentials with values that cannot be honoured (bad id, expiry, …). */
export class NatsAuthInputError extends NatsAuthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(NatsAuthErrorCode.InvalidInput, message, options);
  }
}

/** The authority's state directory cannot be read or written, or holds something unexpected. */
export class NatsAuthStateError extends NatsAuthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(NatsAuthErrorCode.State, message, options);
  }
}

/** An nkey (seed or public key) that is malformed, has a bad checksum or the wrong role. */
export class NkeyError extends NatsAuthError {
  constructor(message: string) {
    super(NatsAuthErrorCode.InvalidKey, message);
  }
}

/** A NATS JWT that is malformed or whose signature does not verify. */
export class NatsJwtError extends NatsAuthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(NatsAuthErrorCode.InvalidJwt, message, options);
  }
}

/** nats-server did not accept an account JWT update, so a revocation is not in force yet. */
export class NatsClaimsPushError extends NatsAuthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(NatsAuthErrorCode.Push, message, options);
  }
}
