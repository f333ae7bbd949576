import { TrustmeshError } from '../../errors.js';

/** Why a session token was refused. Stable strings: the audit record and the caller switch on them. */
export const TokenErrorCode = {
  Expired: 'ERR_TOKEN_EXPIRED',
  NotYetValid: 'ERR_TOKEN_NOT_YET_VALID',
  Audience: 'ERR_TOKEN_AUDIENCE',
  Issuer: 'ERR_TOKEN_ISSUER',
  /** `alg: none`, HS* (algorithm confusion), or an algorithm that does not match the issuer key. */
  Alg: 'ERR_TOKEN_ALG',
  /** Not signed by a trusted issuer key. */
  Signature: 'ERR_TOKEN_SIGNATURE',
  /** Presented by a key other than the one bound in `cnf.jkt`. */
  WrongKey: 'ERR_TOKEN_WRONG_KEY',
  /** Issued for another session than the one being called. */
  WrongSession: 'ERR_TOKEN_WRONG_SESSION',
  Revoked: 'ERR_TOKEN_REVOKED',
  /** Not a compact JWS, or claims missing or of the wrong type. */
  Malformed: 'ERR_TOKEN_MALFORMED',
} as const;
export type TokenErrorCode = (typeof TokenErrorCode)[keyof typeof TokenErrorCode];

/** What an audit record of the denial can name; only set when the signature verified. */
export interface TokenDenialContext {
  jti?: string;
  sub?: string;
  principal?: string;
}

/** The only error `SessionTokenVerifier.verify` throws. */
export class TokenError extends TrustmeshError {
  declare readonly code: TokenErrorCode;
  readonly context: TokenDenialContext;

  constructor(
    code: TokenErrorCode,
    message: string,
    options: { cause?: unknown; context?: TokenDenialContext } = {},
  ) {
    super(code, message, { cause: options.cause });
    this.context = options.context ?? {};
  }
}

/** Token issuer or verifier options that are out of range. */
export class TokenOptionsError extends TrustmeshError {
  constructor(message: string) {
    super('ERR_TOKEN_OPTIONS', message);
  }
}
