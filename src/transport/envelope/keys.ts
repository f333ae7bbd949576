import type { JsonWebKey, KeyObject } from 'node:crypto';
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  sign,
  timingSafeEqual,
  verify,
} from 'node:crypto';
import { KeyError } from './errors.js';
import { isWireId } from './fields.js';
import type { AsymmetricAlgorithm } from './jwk.js';
import { jwkThumbprint, publicMembers } from './jwk.js';
import type { KeyResolver, SigningKey, VerifyingKey } from './types.js';
import { SIGNATURE_BYTES, SignatureAlgorithm } from './types.js';

/** Shortest HMAC secret accepted: the full strength of SHA-256. */
export const MIN_HMAC_SECRET_BYTES = 32;

// Both curves produce fixed-size signatures (P-256 as IEEE P1363 r||s, not DER), so a wrong length
// is rejected before any curve arithmetic.
const DIGEST = { ed25519: null, p256: 'sha256' } as const;

export interface KeyPair {
  signingKey: SigningKey;
  verifyingKey: VerifyingKey;
  /** Public JWK (RFC 7638 members only); its thumbprint is the key id. */
  publicJwk: JsonWebKey;
}

class AsymmetricSigningKey implements SigningKey {
  readonly #key: KeyObject;

  constructor(
    readonly kid: string,
    readonly alg: AsymmetricAlgorithm,
    key: KeyObject,
  ) {
    this.#key = key;
  }

  sign(data: Uint8Array): Uint8Array {
    return sign(DIGEST[this.alg], data, { key: this.#key, dsaEncoding: 'ieee-p1363' });
  }
}

class AsymmetricVerifyingKey implements VerifyingKey {
  readonly #key: KeyObject;

  constructor(
    readonly kid: string,
    readonly alg: AsymmetricAlgorithm,
    key: KeyObject,
  ) {
    this.#key = key;
  }

  verify(data: Uint8Array, signature: Uint8Array): boolean {
    if (signature.length !== SIGNATURE_BYTES[this.alg]) return false;
    try {
      return verify(DIGEST[this.alg], data, { key: this.#key, dsaEncoding: 'ieee-p1363' }, signature);
    } catch {
      return false;
    }
  }
}

class HmacKey implements SigningKey, VerifyingKey {
  readonly alg = SignatureAlgorithm.HmacSha256;

  readonly #key: KeyObject;

  constructor(
    readonly kid: string,
    key: KeyObject,
  ) {
    this.#key = key;
  }

  sign(data: Uint8Array): Uint8Array {
    return createHmac('sha256', this.#key).update(data).digest();
  }

  verify(data: Uint8Array, signature: Uint8Array): boolean {
    return signature.length === SIGNATURE_BYTES[this.alg] && timingSafeEqual(this.sign(data), signature);
  }
}

/** A fresh identity key pair; the key id is the RFC 7638 thumbprint of the public JWK. */
export function generateKeyPair(alg: AsymmetricAlgorithm): KeyPair {
  if (alg !== 'ed25519' && alg !== 'p256') {
    throw new KeyError(`cannot generate a '${String(alg)}' key: choose 'ed25519' or 'p256'.`);
  }
  const { privateKey, publicKey } =
    alg === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { members } = publicMembers(publicKey.export({ format: 'jwk' }));
  const kid = jwkThumbprint(members);
  return {
    signingKey: new AsymmetricSigningKey(kid, alg, privateKey),
    verifyingKey: new AsymmetricVerifyingKey(kid, alg, publicKey),
    publicJwk: { ...members },
  };
}

/** Imports a public JWK (Ed25519 or P-256) once; extra members, including private ones, are ignored. */
export function importVerifyingKey(jwk: JsonWebKey): VerifyingKey {
  const { alg, members } = publicMembers(jwk);
  return new AsymmetricVerifyingKey(
    jwkThumbprint(members),
    alg,
    importKey(() => createPublicKey({ key: members, format: 'jwk' })),
  );
}

/** Imports a private JWK (Ed25519 or P-256) once; the key id is the thumbprint of its public half. */
export function importSigningKey(privateJwk: JsonWebKey): SigningKey {
  const { alg } = publicMembers(privateJwk);
  if (typeof privateJwk.d !== 'string') {
    throw new KeyError('the JWK has no private member d: pass the private JWK, or use importVerifyingKey.');
  }
  const privateKey = importKey(() => createPrivateKey({ key: privateJwk, format: 'jwk' }));
  const derived = publicMembers(createPublicKey(privateKey).export({ format: 'jwk' })).members;
  if (jwkThumbprint(derived) !== jwkThumbprint(privateJwk)) {
    throw new KeyError('the JWK public members do not match its private member d: re-export the key pair.');
  }
  return new AsymmetricSigningKey(jwkThumbprint(derived), alg, privateKey);
}

/** An HMAC-SHA256 key, imported once; verification compares in constant time. */
export function hmacKey(kid: string, secret: Uint8Array): SigningKey & VerifyingKey {
  if (!isWireId(kid)) throw new KeyError(`key id '${kid}' must be 1-128 visible ASCII characters.`);
  if (!(secret instanceof Uint8Array) || secret.length < MIN_HMAC_SECRET_BYTES) {
    throw new KeyError(`HMAC secret for '${kid}' must be at least ${MIN_HMAC_SECRET_BYTES} random bytes.`);
  }
  return new HmacKey(kid, createSecretKey(secret));
}

function importKey(load: () => KeyObject): KeyObject {
  try {
    return load();
  } catch (cause) {
    throw new KeyError('node:crypto rejected the JWK (bad coordinates or private value): check its source.', {
      cause,
    });
  }
}

/** The keys a receiver trusts, by key id. */
export class KeyRing implements KeyResolver {
  readonly #keys = new Map<string, VerifyingKey>();

  constructor(keys: Iterable<VerifyingKey> = []) {
    for (const key of keys) this.add(key);
  }

  add(key: VerifyingKey): void {
    this.#keys.set(key.kid, key);
  }

  delete(kid: string): void {
    this.#keys.delete(kid);
  }

  get(kid: string): VerifyingKey | undefined {
    return this.#keys.get(kid);
  }
}
