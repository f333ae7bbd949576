import { TokenError, TokenErrorCode } from './errors.js';

/** The algorithms a session token may be signed with; anything else (none, HS*, RS*) is refused. */
export const SESSION_TOKEN_ALGORITHMS = ['EdDSA', 'ES256'] as const;
export type SessionTokenAlgorithm = (typeof SESSION_TOKEN_ALGORITHMS)[number];

/** A session token's claims (times in seconds since the epoch, as RFC 7519 has them). */
export interface SessionTokenClaims {
  iss: string;
  aud: string;
  /** The session id. */
  sub: string;
  jti: string;
  iat: number;
  nbf: number;
  exp: number;
  /** Who created the session. */
  principal: string;
  purpose: string;
  tier: string;
  /** Granted tools, `server.tool`. */
  tools: string[];
  /** Proof-of-possession: RFC 7638 thumbprint of the agent key that signs the session's envelopes. */
  cnf: { jkt: string };
}

const STRING_CLAIMS = ['iss', 'aud', 'sub', 'jti', 'principal', 'purpose', 'tier'] as const;
const TIME_CLAIMS = ['iat', 'nbf', 'exp'] as const;

/** Checks the shape of a verified payload: every claim present with its type, or ERR_TOKEN_MALFORMED. */
export function parseClaims(payload: unknown): SessionTokenClaims {
  const bad = firstBadClaim(payload);
  if (bad !== undefined) {
    throw new TokenError(
      TokenErrorCode.Malformed,
      `session token claim '${bad}' is missing or has the wrong type; request a new token.`,
    );
  }
  return payload as SessionTokenClaims;
}

function firstBadClaim(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null) return 'payload';
  const claims = payload as Record<string, unknown>;
  const text = STRING_CLAIMS.find((name) => typeof claims[name] !== 'string' || claims[name] === '');
  if (text) return text;
  const time = TIME_CLAIMS.find((name) => !Number.isSafeInteger(claims[name]));
  if (time) return time;
  if (!Array.isArray(claims.tools) || !claims.tools.every((tool) => typeof tool === 'string')) return 'tools';
  const cnf = claims.cnf as { jkt?: unknown } | undefined;
  return typeof cnf?.jkt === 'string' && cnf.jkt !== '' ? undefined : 'cnf.jkt';
}
