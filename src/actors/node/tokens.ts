import type { JsonWebKey } from 'node:crypto';
import type { Clock } from '../../clock.js';
import { publicJwkOf } from '../../pki/key-store.js';
import { SessionTokenIssuer, SessionTokenVerifier } from '../../pki/tokens/index.js';

/** `iss` of every session token: the mesh vouches for the session. */
export const SESSION_TOKEN_ISSUER = 'urn:trustmesh:mesh';
/** `aud` of every session token: only the mesh's session actors accept it. */
export const SESSION_TOKEN_AUDIENCE = 'urn:trustmesh:session';

/** The issuer `session create` signs with: the mesh token key from the node state directory. */
export function sessionTokenIssuer(tokenKey: JsonWebKey, clock?: Clock): SessionTokenIssuer {
  return new SessionTokenIssuer({
    key: tokenKey,
    issuer: SESSION_TOKEN_ISSUER,
    audience: SESSION_TOKEN_AUDIENCE,
    ...(clock ? { clock } : {}),
  });
}

/** One verifier per node, shared by its sessions so one token is signature-checked once. */
export function sessionTokenVerifier(
  tokenKey: JsonWebKey,
  isRevoked: (jti: string) => boolean,
  clock?: Clock,
): SessionTokenVerifier {
  return new SessionTokenVerifier({
    keys: [publicJwkOf(tokenKey)],
    issuer: SESSION_TOKEN_ISSUER,
    audience: SESSION_TOKEN_AUDIENCE,
    isRevoked,
    ...(clock ? { clock } : {}),
  });
}
