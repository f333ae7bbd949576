import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  generateKeyPair,
  hmacKey,
  importSigningKey,
  importVerifyingKey,
  jwkThumbprint,
  KeyError,
  KeyRing,
} from '../../../../src/transport/envelope/index.js';
import { text } from './helpers.js';

const DATA = text('signed bytes');

describe('identity keys', () => {
  for (const alg of ['ed25519', 'p256'] as const) {
    it(`${alg}: kid is the RFC 7638 thumbprint jose computes`, async () => {
      const { signingKey, verifyingKey, publicJwk } = generateKeyPair(alg);
      const expected = await calculateJwkThumbprint(
        publicJwk as Parameters<typeof calculateJwkThumbprint>[0],
        'sha256',
      );
      expect(signingKey.kid).toBe(expected);
      expect(verifyingKey.kid).toBe(expected);
      expect(jwkThumbprint(publicJwk)).toBe(expected);
      expect(publicJwk).not.toHaveProperty('d');
    });

    it(`${alg}: signs, verifies, and refuses other data, other keys and wrong-length signatures`, () => {
      const { signingKey, verifyingKey } = generateKeyPair(alg);
      const signature = signingKey.sign(DATA);
      expect(signature).toHaveLength(64);
      expect(verifyingKey.verify(DATA, signature)).toBe(true);
      expect(verifyingKey.verify(text('other bytes'), signature)).toBe(false);
      expect(generateKeyPair(alg).verifyingKey.verify(DATA, signature)).toBe(false);
      expect(verifyingKey.verify(DATA, signature.subarray(0, 63))).toBe(false);
    });

    it(`${alg}: imports exported JWKs once, with the same kid`, () => {
      const { privateKey } =
        alg === 'ed25519'
          ? generateKeyPairSync('ed25519')
          : generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const privateJwk = privateKey.export({ format: 'jwk' });
      const signing = importSigningKey(privateJwk);
      const verifying = importVerifyingKey(privateJwk); // private members are ignored
      expect(verifying.kid).toBe(signing.kid);
      expect(verifying.alg).toBe(alg);
      expect(verifying.verify(DATA, signing.sign(DATA))).toBe(true);
    });
  }

  it('rejects unsupported or broken JWKs with KeyError', () => {
    const { publicJwk } = generateKeyPair('ed25519');
    expect(() => importVerifyingKey({ kty: 'RSA', n: 'AQAB', e: 'AQAB' })).toThrow(KeyError);
    expect(() => importVerifyingKey({ kty: 'EC', crv: 'P-384', x: 'AA', y: 'AA' })).toThrow(KeyError);
    expect(() => importVerifyingKey({ ...publicJwk, x: 'not base64url!' })).toThrow(KeyError);
    expect(() => importVerifyingKey({ kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' })).toThrow(KeyError);
    expect(() => importSigningKey(publicJwk)).toThrow(/no private member d/);
  });

  it('refuses a private JWK whose public members are not its own', () => {
    const privateJwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
    const { publicJwk } = generateKeyPair('ed25519');
    expect(() => importSigningKey({ ...privateJwk, x: publicJwk.x })).toThrow(KeyError);
  });
});

describe('hmac keys', () => {
  it('MACs and verifies; refuses other data, another secret and wrong lengths', () => {
    const key = hmacKey('ch.k.c2s', new Uint8Array(32).fill(7));
    const mac = key.sign(DATA);
    expect(mac).toHaveLength(32);
    expect(key.alg).toBe('hmac-sha256');
    expect(key.verify(DATA, mac)).toBe(true);
    expect(key.verify(text('other'), mac)).toBe(false);
    expect(hmacKey('ch.k.c2s', new Uint8Array(32).fill(8)).verify(DATA, mac)).toBe(false);
    expect(key.verify(DATA, mac.subarray(0, 31))).toBe(false);
  });

  it('rejects short secrets and unusable key ids', () => {
    expect(() => hmacKey('ch.k', new Uint8Array(31))).toThrow(/at least 32/);
    expect(() => hmacKey('bad kid', new Uint8Array(32))).toThrow(KeyError);
    expect(() => hmacKey('', new Uint8Array(32))).toThrow(KeyError);
  });
});

describe('KeyRing', () => {
  it('adds, finds and forgets keys by kid', () => {
    const a = generateKeyPair('ed25519').verifyingKey;
    const b = hmacKey('ch.b', new Uint8Array(32));
    const ring = new KeyRing([a]);
    ring.add(b);
    expect(ring.get(a.kid)).toBe(a);
    expect(ring.get('ch.b')).toBe(b);
    ring.delete(a.kid);
    expect(ring.get(a.kid)).toBeUndefined();
    expect(ring.get('ch.b')).toBe(b);
  });
});
