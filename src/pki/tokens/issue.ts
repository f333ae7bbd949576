import { type JsonWebKey, randomBytes } from 'node:crypto';
import { importJWK, SignJWT } from 'jose';
import { type Clock, systemClock } from '../../clock.js';
import { jwkThumbprint } from '../../transport/envelope/jwk.js';
import type { SessionTokenClaims } from './claims.js';
import { TokenOptionsError } from './errors.js';
import { tokenAlgorithmOf } from './keys.js';

export interface SessionTokenIssuerOptions {
  /** The issuer's private JWK (Ed25519 or P-256); its thumbprint becomes the `kid` header. */
  key: JsonWebKey;
  /** `iss`: who vouches for the session (the mesh). */
  issuer: string;
  /** `aud`: who accepts it (the mesh's session actors). */
  audience: string;
  /** Token lifetime. @default 3_600_000 (1 h) */
  ttlMs?: number;
  /** @default systemClock */
  clock?: Clock;
}

/** What is particular to one session. */
export interface SessionTokenRequest {
  sessionId: string;
  principal: string;
  purpose: string;
  tier: string;
  tools: string[];
  /** The agent's public key; the token is bound to its RFC 7638 thumbprint (`cnf.jkt`). */
  agentKey: JsonWebKey;
  /** Overrides the issuer's lifetime, e.g. to end with the session. */
  ttlMs?: number;
}

export interface IssuedSessionToken {
  token: string;
  claims: SessionTokenClaims;
}

export const DEFAULT_TOKEN_TTL_MS = 3_600_000;

/** Signs session tokens with one issuer key, imported once. */
export class SessionTokenIssuer {
  readonly #options: Required<Omit<SessionTokenIssuerOptions, 'key'>>;
  readonly #alg: string;
  readonly #kid: string;
  readonly #key: ReturnType<typeof importJWK>;

  constructor(options: SessionTokenIssuerOptions) {
    if (typeof options.key?.d !== 'string')
      throw new TokenOptionsError(
        'the token issuer key must be a private JWK (with d); load it from the key store.',
      );
    if (!options.issuer || !options.audience)
      throw new TokenOptionsError('issuer and audience are required: name the mesh and its session actors.');
    this.#options = {
      issuer: options.issuer,
      audience: options.audience,
      ttlMs: checkTtl(options.ttlMs ?? DEFAULT_TOKEN_TTL_MS),
      clock: options.clock ?? systemClock,
    };
    this.#alg = tokenAlgorithmOf(options.key);
    this.#kid = jwkThumbprint(options.key);
    this.#key = importJWK(options.key, this.#alg);
  }

  /** The `kid` verifiers look the issuer key up by. */
  get keyId(): string {
    return this.#kid;
  }

  async issue(request: SessionTokenRequest): Promise<IssuedSessionToken> {
    const now = Math.floor(this.#options.clock() / 1000);
    const ttlSeconds = Math.ceil(checkTtl(request.ttlMs ?? this.#options.ttlMs) / 1000);
    const claims: SessionTokenClaims = {
      iss: this.#options.issuer,
      aud: this.#options.audience,
      sub: request.sessionId,
      jti: randomBytes(16).toString('base64url'),
      iat: now,
      nbf: now,
      exp: now + ttlSeconds,
      principal: request.principal,
      purpose: request.purpose,
      tier: request.tier,
      tools: [...request.tools],
      cnf: { jkt: jwkThumbprint(request.agentKey) },
    };
    const token = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: this.#alg, kid: this.#kid, typ: 'JWT' })
      .sign(await this.#key);
    return { token, claims };
  }
}

function checkTtl(ttlMs: number): number {
  if (!(ttlMs >= 1_000) || !Number.isFinite(ttlMs))
    throw new TokenOptionsError(`token lifetime ${ttlMs} ms must be at least one second.`);
  return ttlMs;
}
