import { createHash, createPublicKey, verify } from 'node:crypto';
import type { Clock } from '../../clock.js';
import { NatsJwtError } from './errors.js';
import { base32NoPad, decodePublicNkey, type Nkey, type NkeyRole } from './nkey.js';

/** A subject allow/deny list as NATS JWTs carry it. */
export interface NatsPermission {
  allow?: string[];
  deny?: string[];
}

/** How many replies, for how long, a user may publish to the reply subjects of messages it received. */
export interface NatsResponsePermission {
  max: number;
  /** Nanoseconds. */
  ttl: number;
}

export interface NatsUserClaims {
  type: 'user';
  version: 2;
  pub: NatsPermission;
  sub: NatsPermission;
  resp?: NatsResponsePermission;
  subs: number;
  data: number;
  payload: number;
  /** Set when a signing key, not the account key itself, signs the user. */
  issuer_account: string;
}

export interface NatsAccountClaims {
  type: 'account';
  version: 2;
  signing_keys: string[];
  limits: Record<string, number | boolean>;
  /** User public key → unix seconds: user JWTs issued at or before it are refused. */
  revocations?: Record<string, number>;
  default_permissions: { pub: NatsPermission; sub: NatsPermission };
}

export interface NatsOperatorClaims {
  type: 'operator';
  version: 2;
  signing_keys: string[];
  system_account: string;
}

export type NatsClaimsBody = NatsUserClaims | NatsAccountClaims | NatsOperatorClaims;

/** The registered claims of a NATS JWT around its `nats` body. */
export interface NatsClaims<T extends NatsClaimsBody = NatsClaimsBody> {
  jti: string;
  iat: number;
  iss: string;
  name: string;
  sub: string;
  exp?: number;
  nats: T;
}

/** What one JWT says: who it names, in which role, and until when. */
export interface NatsJwtSpec<T extends NatsClaimsBody> {
  name: string;
  subject: string;
  /** Unix milliseconds; omitted means the JWT never expires. */
  expiresAt?: number;
  nats: T;
}

const ALGORITHM = 'ed25519-nkey';
const HEADER = Buffer.from(JSON.stringify({ typ: 'JWT', alg: ALGORITHM })).toString('base64url');

/**
 * Encodes and signs a NATS JWT (v2): header `{typ: JWT, alg: ed25519-nkey}`, the signature over
 * `header.payload` by `signer`, `jti` the base32 SHA-512/256 of the claims, as nats-io/jwt computes it.
 */
export function encodeNatsJwt<T extends NatsClaimsBody>(
  spec: NatsJwtSpec<T>,
  signer: Nkey,
  clock: Clock,
): string {
  const claims: Omit<NatsClaims<T>, 'jti'> & { jti?: string } = {
    iat: Math.floor(clock() / 1000),
    iss: signer.publicKey,
    name: spec.name,
    sub: spec.subject,
    ...(spec.expiresAt === undefined ? {} : { exp: Math.floor(spec.expiresAt / 1000) }),
    nats: spec.nats,
  };
  claims.jti = base32NoPad(createHash('sha512-256').update(JSON.stringify(claims)).digest());
  const payload = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${payload}.${signer.sign(Buffer.from(payload)).toString('base64url')}`;
}

/**
 * Decodes a NATS JWT and verifies its signature against its own `iss`, which must have
 * `issuerRole`. Says nothing about whether that issuer is trusted: the caller checks `iss`.
 */
export function decodeNatsJwt(jwt: string, issuerRole: NkeyRole): NatsClaims {
  const parts = typeof jwt === 'string' ? jwt.split('.') : [];
  if (parts.length !== 3 || parts[0] !== HEADER) {
    throw new NatsJwtError(
      'This is not a NATS JWT signed with an nkey; it needs three parts and an ed25519-nkey header.',
    );
  }
  let claims: NatsClaims;
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as NatsClaims;
  } catch (cause) {
    throw new NatsJwtError('The NATS JWT claims are not JSON; the token is corrupt.', { cause });
  }
  const issuer = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: decodePublicNkey(claims.iss, issuerRole).toString('base64url') },
    format: 'jwk',
  });
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  if (!verify(null, signed, issuer, Buffer.from(parts[2]!, 'base64url'))) {
    throw new NatsJwtError('The NATS JWT signature does not verify; the token was altered or forged.');
  }
  return claims;
}
