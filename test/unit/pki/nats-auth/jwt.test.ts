import { createHash } from 'node:crypto';
import { fromPublic } from '@nats-io/nkeys';
import { describe, expect, it } from 'vitest';
import { decodeNatsJwt, encodeNatsJwt, type NatsOperatorClaims } from '../../../../src/pki/nats-auth/jwt.js';
import { base32NoPad, NkeyRole, newNkey } from '../../../../src/pki/nats-auth/nkey.js';

const NOW = Date.UTC(2030, 0, 1, 12, 0, 0, 999);
const clock = () => NOW;
const operator = newNkey(NkeyRole.Operator);
const body: NatsOperatorClaims = { type: 'operator', version: 2, signing_keys: [], system_account: 'A' };
const part = (jwt: string, i: number) =>
  JSON.parse(Buffer.from(jwt.split('.')[i]!, 'base64url').toString('utf8'));

describe('NATS JWT encoding', () => {
  it('writes the v2 header, seconds-based times from the clock, and the signer as issuer', () => {
    const jwt = encodeNatsJwt(
      { name: 'op', subject: operator.publicKey, expiresAt: NOW + 90_500, nats: body },
      operator,
      clock,
    );
    expect(part(jwt, 0)).toEqual({ typ: 'JWT', alg: 'ed25519-nkey' });
    expect(part(jwt, 1)).toMatchObject({
      iat: Math.floor(NOW / 1000),
      exp: Math.floor((NOW + 90_500) / 1000),
      iss: operator.publicKey,
      sub: operator.publicKey,
      name: 'op',
      nats: body,
    });
  });

  it('names the claims by their SHA-512/256 digest (jti) and signs header.payload, as nats-io/jwt does', () => {
    const jwt = encodeNatsJwt({ name: 'op', subject: operator.publicKey, nats: body }, operator, clock);
    const { jti, ...rest } = part(jwt, 1);
    expect(jti).toBe(base32NoPad(createHash('sha512-256').update(JSON.stringify(rest)).digest()));
    const [header, payload, signature] = jwt.split('.') as [string, string, string];
    const signed = new TextEncoder().encode(`${header}.${payload}`);
    expect(fromPublic(operator.publicKey).verify(signed, Buffer.from(signature, 'base64url'))).toBe(true);
    expect(part(jwt, 1)).not.toHaveProperty('exp');
  });

  it('decodes what it encodes and refuses anything altered or unsigned', () => {
    const jwt = encodeNatsJwt({ name: 'op', subject: operator.publicKey, nats: body }, operator, clock);
    expect(decodeNatsJwt(jwt, NkeyRole.Operator)).toMatchObject({ name: 'op', nats: body });

    const [header, payload, signature] = jwt.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ ...part(jwt, 1), name: 'other' })).toString('base64url');
    const code = { code: 'ERR_NATS_AUTH_JWT' };
    expect(() => decodeNatsJwt(`${header}.${forged}.${signature}`, NkeyRole.Operator)).toThrow(
      expect.objectContaining(code),
    );
    const none = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'none' })).toString('base64url');
    expect(() => decodeNatsJwt(`${none}.${payload}.`, NkeyRole.Operator)).toThrow(
      expect.objectContaining(code),
    );
    expect(() => decodeNatsJwt('a.b', NkeyRole.Operator)).toThrow(expect.objectContaining(code));
    // Signed by an operator, so not a valid account-issued JWT.
    expect(() => decodeNatsJwt(jwt, NkeyRole.Account)).toThrow(
      expect.objectContaining({ code: 'ERR_NATS_AUTH_KEY' }),
    );
  });
});
