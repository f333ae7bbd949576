import { createHash } from 'node:crypto';
import { createAccount, createOperator, createUser, fromPublic, fromSeed } from '@nats-io/nkeys';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePublicNkey, NkeyRole, newNkey, nkeyFromSeed } from '../../../../src/pki/nats-auth/nkey.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const ROLES = [
  ['operator', NkeyRole.Operator, createOperator],
  ['account', NkeyRole.Account, createAccount],
  ['user', NkeyRole.User, createUser],
] as const;

describe.each(ROLES)('%s nkeys', (_, role, createReference) => {
  it('are ones the reference nkeys library reads, with the same public key and signatures', () => {
    const key = newNkey(role);
    const reference = fromSeed(new TextEncoder().encode(key.seed));
    expect(reference.getPublicKey()).toBe(key.publicKey);
    const data = new TextEncoder().encode('claims');
    expect(fromPublic(key.publicKey).verify(data, key.sign(data))).toBe(true);
  });

  it('read seeds the reference library writes', () => {
    const reference = createReference();
    const key = nkeyFromSeed(text(reference.getSeed()), role);
    expect(key.publicKey).toBe(reference.getPublicKey());
    expect(key.seed).toBe(text(reference.getSeed()));
    expect(decodePublicNkey(key.publicKey, role)).toHaveLength(32);
  });
});

describe('nkey validation', () => {
  it('refuses a seed or public key of another role', () => {
    const user = newNkey(NkeyRole.User);
    expect(() => nkeyFromSeed(user.seed, NkeyRole.Account)).toThrow(
      expect.objectContaining({ code: 'ERR_NATS_AUTH_KEY' }),
    );
    expect(() => decodePublicNkey(user.publicKey, NkeyRole.Account)).toThrow(/not an account public nkey/);
    // A seed passed by mistake is refused without being echoed into the message.
    expect(() => decodePublicNkey(user.seed, NkeyRole.User)).toThrow(
      /^The key given is not a user public nkey/,
    );
  });

  it('refuses any single-character change (checksum)', () => {
    const { publicKey } = newNkey(NkeyRole.User);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: publicKey.length - 1 }),
        fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'),
        (at, char) => {
          fc.pre(publicKey[at] !== char);
          const altered = `${publicKey.slice(0, at)}${char}${publicKey.slice(at + 1)}`;
          expect(() => decodePublicNkey(altered, NkeyRole.User)).toThrow(
            expect.objectContaining({ code: 'ERR_NATS_AUTH_KEY' }),
          );
        },
      ),
    );
  });

  it('refuses text that is not base32', () => {
    expect(() => decodePublicNkey('U0000', NkeyRole.User)).toThrow(/not base32/);
    expect(() => nkeyFromSeed('not a seed', NkeyRole.User)).toThrow(/not base32/);
  });

  it('gives every key fresh randomness', () => {
    const keys = new Set(Array.from({ length: 50 }, () => newNkey(NkeyRole.User).publicKey));
    expect(keys.size).toBe(50);
    expect(
      createHash('sha256')
        .update([...keys].join())
        .digest(),
    ).toHaveLength(32);
  });
});
