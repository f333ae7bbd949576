import type { JsonWebKey } from 'node:crypto';
import { publicMembers } from '../../transport/envelope/jwk.js';
import type { SessionTokenAlgorithm } from './claims.js';

/** The JWS algorithm for an issuer key: EdDSA for Ed25519, ES256 for P-256. */
export function tokenAlgorithmOf(jwk: JsonWebKey): SessionTokenAlgorithm {
  return publicMembers(jwk).alg === 'ed25519' ? 'EdDSA' : 'ES256';
}
