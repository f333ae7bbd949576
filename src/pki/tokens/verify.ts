import type { JsonWebKey, webcrypto } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, errors, importJWK } from 'jose';
import { type Clock, systemClock } from '../../clock.js';
import { jwkThumbprint } from '../../transport/envelope/jwk.js';
import { VerifiedTokenCache } from './cache.js';
import { parseClaims, SESSION_TOKEN_ALGORITHMS, type SessionTokenClaims } from './claims.js';
import { TokenError, TokenErrorCode, TokenOptionsError } from './errors.js';
import { tokenAlgorithmOf } from './keys.js';

export interface SessionTokenVerifierOptions {
  /** Public JWKs of the token issuers (several during a key rollover), looked up by thumbprint `kid`. */
  keys: JsonWebKey[];
  /** Expected `iss`. */
  issuer: string;
  /** Expected `aud`. */
  audience: string;
  /** Clock skew tolerated on nbf, iat and exp. @default 30_000 */
  clockSkewMs?: number;
  /** Revocation lookup by jti, checked on every call. @default none revoked */
  isRevoked?: (jti: string) => boolean;
  /** Verified tokens kept; 0 turns the cache off. @default 10_000 */
  maxCacheEntries?: number;
  /** @default systemClock */
  clock?: Clock;
}

/** What the call being checked must match. */
export interface TokenUse {
  /** The session the call addresses. */
  sessionId: string;
  /** Key id (RFC 7638 thumbprint) that signed the call's envelope. */
  keyId: string;
}

export const DEFAULT_TOKEN_CLOCK_SKEW_MS = 30_000;
export const DEFAULT_TOKEN_CACHE_ENTRIES = 10_000;

interface IssuerKey {
  alg: string;
  key: Promise<webcrypto.CryptoKey | Uint8Array>;
}

/**
 * Verifies session tokens on every call. The signature, issuer, audience and claim shapes are
 * checked once per token text and cached until expiry; time bounds, the session, the key binding and
 * revocation are checked on every call. Throws TokenError with a stable code for each denial.
 */
export class SessionTokenVerifier {
  readonly #issuerKeys = new Map<string, IssuerKey>();
  readonly #cache: VerifiedTokenCache;
  readonly #options: Required<Omit<SessionTokenVerifierOptions, 'keys'>>;

  constructor(options: SessionTokenVerifierOptions) {
    if (!options.issuer || !options.audience)
      throw new TokenOptionsError('issuer and audience are required: name the mesh and its session actors.');
    if (!Array.isArray(options.keys) || options.keys.length === 0)
      throw new TokenOptionsError('at least one issuer public key is required to verify session tokens.');
    const clockSkewMs = options.clockSkewMs ?? DEFAULT_TOKEN_CLOCK_SKEW_MS;
    if (!(clockSkewMs >= 0 && clockSkewMs <= 300_000))
      throw new TokenOptionsError(`clockSkewMs ${clockSkewMs} must be between 0 and 300000 (5 minutes).`);
    const maxCacheEntries = options.maxCacheEntries ?? DEFAULT_TOKEN_CACHE_ENTRIES;
    if (!Number.isInteger(maxCacheEntries) || maxCacheEntries < 0)
      throw new TokenOptionsError(`maxCacheEntries ${maxCacheEntries} must be a non-negative integer.`);
    this.#options = {
      issuer: options.issuer,
      audience: options.audience,
      clockSkewMs,
      maxCacheEntries,
      isRevoked: options.isRevoked ?? (() => false),
      clock: options.clock ?? systemClock,
    };
    this.#cache = new VerifiedTokenCache(maxCacheEntries);
    for (const jwk of options.keys) {
      const { d: _private, ...publicJwk } = jwk;
      const alg = tokenAlgorithmOf(publicJwk);
      this.#issuerKeys.set(jwkThumbprint(publicJwk), { alg, key: importJWK(publicJwk, alg) });
    }
  }

  /** Resolves to the token's claims when it may be used for `use` now; throws TokenError otherwise. */
  async verify(token: string, use: TokenUse): Promise<SessionTokenClaims> {
    const now = this.#options.clock();
    const claims = this.#cache.get(token, now) ?? (await this.#verifySignature(token));
    this.#checkUse(claims, use, now);
    return claims;
  }

  async #verifySignature(token: string): Promise<SessionTokenClaims> {
    if (typeof token !== 'string' || token.split('.').length !== 3)
      deny(TokenErrorCode.Malformed, 'the session token is not a compact JWS (three dot-separated parts)');
    let header: { alg?: unknown; kid?: unknown };
    try {
      header = decodeProtectedHeader(token);
    } catch (cause) {
      return deny(TokenErrorCode.Malformed, 'the session token header does not decode', {}, cause);
    }
    if (!SESSION_TOKEN_ALGORITHMS.includes(header.alg as never))
      deny(
        TokenErrorCode.Alg,
        `algorithm '${String(header.alg)}' is not allowed (only ${SESSION_TOKEN_ALGORITHMS.join(', ')})`,
      );
    const issuerKey = typeof header.kid === 'string' ? this.#issuerKeys.get(header.kid) : undefined;
    if (!issuerKey)
      deny(TokenErrorCode.Signature, 'the session token was not signed by a trusted issuer key');
    if (issuerKey.alg !== header.alg)
      deny(
        TokenErrorCode.Alg,
        `algorithm '${String(header.alg)}' does not match the issuer key (${issuerKey.alg})`,
      );
    let payload: Uint8Array;
    try {
      ({ payload } = await compactVerify(token, await issuerKey.key, { algorithms: [issuerKey.alg] }));
    } catch (cause) {
      const code =
        cause instanceof errors.JWSSignatureVerificationFailed
          ? TokenErrorCode.Signature
          : TokenErrorCode.Malformed;
      return deny(code, 'the session token signature does not verify', {}, cause);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(payload));
    } catch (cause) {
      return deny(TokenErrorCode.Malformed, 'the session token payload is not JSON', {}, cause);
    }
    const claims = deepFreeze(parseClaims(parsed));
    const context = contextOf(claims);
    if (claims.iss !== this.#options.issuer)
      deny(TokenErrorCode.Issuer, `issuer '${claims.iss}' is not '${this.#options.issuer}'`, context);
    if (claims.aud !== this.#options.audience)
      deny(TokenErrorCode.Audience, `audience '${claims.aud}' is not '${this.#options.audience}'`, context);
    this.#cache.set(token, claims, claims.exp * 1000 + this.#options.clockSkewMs);
    return claims;
  }

  #checkUse(claims: SessionTokenClaims, use: TokenUse, now: number): void {
    const skew = this.#options.clockSkewMs;
    if (now - skew >= claims.exp * 1000)
      deny(TokenErrorCode.Expired, `the session token expired at ${iso(claims.exp)}`, contextOf(claims));
    if (now + skew < claims.nbf * 1000 || now + skew < claims.iat * 1000)
      deny(
        TokenErrorCode.NotYetValid,
        `the session token is not valid before ${iso(claims.nbf)}`,
        contextOf(claims),
      );
    if (claims.sub !== use.sessionId)
      deny(
        TokenErrorCode.WrongSession,
        `the session token is for another session than ${use.sessionId}`,
        contextOf(claims),
      );
    if (claims.cnf.jkt !== use.keyId)
      deny(
        TokenErrorCode.WrongKey,
        `the session token is bound to another key than ${use.keyId}`,
        contextOf(claims),
      );
    if (this.#options.isRevoked(claims.jti))
      deny(TokenErrorCode.Revoked, `the session token ${claims.jti} is revoked`, contextOf(claims));
  }
}

function deny(
  code: TokenErrorCode,
  what: string,
  context: TokenError['context'] = {},
  cause?: unknown,
): never {
  throw new TokenError(code, `Session token refused: ${what}. Obtain a new token for this session and key.`, {
    cause,
    context,
  });
}

function contextOf(claims: SessionTokenClaims): TokenError['context'] {
  return { jti: claims.jti, sub: claims.sub, principal: claims.principal };
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}
