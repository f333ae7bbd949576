import type { JsonWebKey } from 'node:crypto';
import { createHash } from 'node:crypto';
import { KeyError } from './errors.js';

/** The asymmetric algorithms an identity key may use. */
export type AsymmetricAlgorithm = 'ed25519' | 'p256';

/** The RFC 7638 required members of a public JWK, nothing else. */
export type PublicJwkMembers =
  | { kty: 'OKP'; crv: 'Ed25519'; x: string }
  | { kty: 'EC'; crv: 'P-256'; x: string; y: string };

const B64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Picks the public members out of a JWK and checks them, so a private JWK or one with extra members
 * can never change the key id or leak into a trust store.
 */
export function publicMembers(jwk: JsonWebKey): { alg: AsymmetricAlgorithm; members: PublicJwkMembers } {
  const isCoordinate = (value: unknown): value is string => typeof value === 'string' && B64URL.test(value);
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && isCoordinate(jwk.x)) {
    return { alg: 'ed25519', members: { kty: 'OKP', crv: 'Ed25519', x: jwk.x } };
  }
  if (jwk.kty === 'EC' && jwk.crv === 'P-256' && isCoordinate(jwk.x) && isCoordinate(jwk.y)) {
    return { alg: 'p256', members: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y } };
  }
  throw new KeyError(
    `unsupported or incomplete JWK (kty ${String(jwk.kty)}, crv ${String(jwk.crv)}): ` +
      'identity keys must be Ed25519 (kty OKP) or P-256 (kty EC) with base64url coordinates.',
  );
}

/**
 * RFC 7638 JWK SHA-256 thumbprint, base64url: the key id, and what a session token puts in `cnf.jkt`.
 * Synchronous (jose's is async): the members are serialised in lexicographic order without whitespace.
 */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const { members } = publicMembers(jwk);
  const canonical =
    members.kty === 'OKP'
      ? { crv: members.crv, kty: members.kty, x: members.x }
      : { crv: members.crv, kty: members.kty, x: members.x, y: members.y };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}
