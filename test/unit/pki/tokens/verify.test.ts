import { createHmac, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { importJWK, SignJWT } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { newPrivateJwk, publicJwkOf } from '../../../../src/pki/key-store.js';
import {
  SessionTokenIssuer,
  SessionTokenVerifier,
  type SessionTokenVerifierOptions,
  TokenError,
  TokenErrorCode,
} from '../../../../src/pki/tokens/index.js';
import { generateKeyPair, jwkThumbprint } from '../../../../src/transport/envelope/index.js';
import { refusal } from '../../../support/refusal.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const ISSUER = 'trustmesh:mesh-a';
const AUDIENCE = 'trustmesh:sessions';
const SID = 'sess-7d1c0e4f2b9a4c61a0c3a3f1';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

let now: number;
let issuerKey: JsonWebKey;
let agent: ReturnType<typeof generateKeyPair>;
let issuer: SessionTokenIssuer;

function verifier(overrides: Partial<SessionTokenVerifierOptions> = {}): SessionTokenVerifier {
  return new SessionTokenVerifier({
    keys: [publicJwkOf(issuerKey)],
    issuer: ISSUER,
    audience: AUDIENCE,
    clock: () => now,
    ...overrides,
  });
}

async function token(overrides: { sessionId?: string; issuer?: SessionTokenIssuer } = {}): Promise<string> {
  const { token } = await (overrides.issuer ?? issuer).issue({
    sessionId: overrides.sessionId ?? SID,
    principal: 'alice@example.com',
    purpose: 'code-review',
    tier: 'standard',
    tools: ['github.get_pull_request', 'github.create_comment'],
    agentKey: agent.publicJwk,
  });
  return token;
}

const use = () => ({ sessionId: SID, keyId: agent.verifyingKey.kid });

beforeEach(() => {
  now = T0;
  issuerKey = newPrivateJwk();
  agent = generateKeyPair('ed25519');
  issuer = new SessionTokenIssuer({ key: issuerKey, issuer: ISSUER, audience: AUDIENCE, clock: () => now });
});

describe('SessionTokenVerifier', () => {
  it('accepts a token for its session and key, with every claim the issue names', async () => {
    const claims = await verifier().verify(await token(), use());
    expect(claims).toMatchObject({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: SID,
      principal: 'alice@example.com',
      purpose: 'code-review',
      tier: 'standard',
      tools: ['github.get_pull_request', 'github.create_comment'],
      cnf: { jkt: jwkThumbprint(agent.publicJwk) },
      iat: T0 / 1000,
      nbf: T0 / 1000,
      exp: T0 / 1000 + 3600,
    });
    expect(claims.jti).toMatch(/^[\w-]{22}$/);
    expect(Object.isFrozen(claims.tools)).toBe(true);
  });

  it('verifies ES256 tokens from a P-256 issuer key', async () => {
    issuerKey = generateKeyPairJwk();
    issuer = new SessionTokenIssuer({ key: issuerKey, issuer: ISSUER, audience: AUDIENCE, clock: () => now });
    const text = await token();
    expect(JSON.parse(Buffer.from(text.split('.')[0] ?? '', 'base64url').toString())).toMatchObject({
      alg: 'ES256',
    });
    await expect(verifier().verify(text, use())).resolves.toMatchObject({ sub: SID });
  });

  it('answers a repeat verify from the cache, yet still checks expiry, session, key and revocation each call', async () => {
    const revoked = new Set<string>();
    const v = verifier({ isRevoked: (jti) => revoked.has(jti) });
    const text = await token();
    const first = await v.verify(text, use());
    expect(await v.verify(text, use())).toBe(first);
    expect((await refusal(v.verify(text, { ...use(), sessionId: 'other' }), TokenError)).code).toBe(
      TokenErrorCode.WrongSession,
    );
    revoked.add(first.jti);
    expect((await refusal(v.verify(text, use()), TokenError)).code).toBe(TokenErrorCode.Revoked);
    revoked.clear();
    now = T0 + 3600_000 + 30_000;
    expect((await refusal(v.verify(text, use()), TokenError)).code).toBe(TokenErrorCode.Expired);
  });

  it('does not cache with maxCacheEntries 0: every verify checks the signature again', async () => {
    const v = verifier({ maxCacheEntries: 0 });
    const text = await token();
    const first = await v.verify(text, use());
    expect(await v.verify(text, use())).not.toBe(first);
  });
});

describe('SessionTokenVerifier refuses each bad token with its code', () => {
  it('ERR_TOKEN_EXPIRED past exp plus the skew, not before', async () => {
    const text = await token();
    now = T0 + 3600_000 + 29_000;
    await expect(verifier().verify(text, use())).resolves.toBeDefined();
    now = T0 + 3600_000 + 30_000;
    const err = await refusal(verifier().verify(text, use()), TokenError);
    expect(err.code).toBe(TokenErrorCode.Expired);
    expect(err.context).toMatchObject({ sub: SID, principal: 'alice@example.com' });
  });

  it('ERR_TOKEN_NOT_YET_VALID before nbf minus the skew', async () => {
    const text = await token();
    now = T0 - 31_000;
    expect((await refusal(verifier().verify(text, use()), TokenError)).code).toBe(TokenErrorCode.NotYetValid);
    now = T0 - 29_000;
    await expect(verifier().verify(text, use())).resolves.toBeDefined();
  });

  it('ERR_TOKEN_AUDIENCE and ERR_TOKEN_ISSUER', async () => {
    const text = await token();
    expect((await refusal(verifier({ audience: 'elsewhere' }).verify(text, use()), TokenError)).code).toBe(
      TokenErrorCode.Audience,
    );
    expect((await refusal(verifier({ issuer: 'other-mesh' }).verify(text, use()), TokenError)).code).toBe(
      TokenErrorCode.Issuer,
    );
  });

  it('ERR_TOKEN_ALG for alg none, crafted by hand', async () => {
    const [, payload] = (await token()).split('.');
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`;
    expect((await refusal(verifier().verify(unsigned, use()), TokenError)).code).toBe(TokenErrorCode.Alg);
  });

  it('ERR_TOKEN_ALG for HS256 keyed with the issuer public key (algorithm confusion)', async () => {
    const [, payload] = (await token()).split('.');
    const publicJwk = publicJwkOf(issuerKey);
    const header = b64({ alg: 'HS256', typ: 'JWT', kid: jwkThumbprint(publicJwk) });
    for (const secret of [JSON.stringify(publicJwk), Buffer.from(publicJwk.x ?? '', 'base64url')]) {
      const mac = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
      expect((await refusal(verifier().verify(`${header}.${payload}.${mac}`, use()), TokenError)).code).toBe(
        TokenErrorCode.Alg,
      );
    }
  });

  it('ERR_TOKEN_ALG when the header algorithm does not match the issuer key', async () => {
    const [header, payload, signature] = (await token()).split('.');
    const swapped = b64({ ...JSON.parse(Buffer.from(header ?? '', 'base64url').toString()), alg: 'ES256' });
    expect(
      (await refusal(verifier().verify(`${swapped}.${payload}.${signature}`, use()), TokenError)).code,
    ).toBe(TokenErrorCode.Alg);
  });

  it('ERR_TOKEN_SIGNATURE for a tampered payload and for an untrusted issuer key', async () => {
    const [header, , signature] = (await token()).split('.');
    const forged = b64({ ...(await verifier().verify(await token(), use())), tier: 'admin' });
    expect(
      (await refusal(verifier().verify(`${header}.${forged}.${signature}`, use()), TokenError)).code,
    ).toBe(TokenErrorCode.Signature);
    const rogue = new SessionTokenIssuer({
      key: newPrivateJwk(),
      issuer: ISSUER,
      audience: AUDIENCE,
      clock: () => now,
    });
    expect((await refusal(verifier().verify(await token({ issuer: rogue }), use()), TokenError)).code).toBe(
      TokenErrorCode.Signature,
    );
  });

  it('ERR_TOKEN_WRONG_KEY when another key signed the call', async () => {
    const thief = generateKeyPair('ed25519');
    const err = await refusal(
      verifier().verify(await token(), { sessionId: SID, keyId: thief.verifyingKey.kid }),
      TokenError,
    );
    expect(err.code).toBe(TokenErrorCode.WrongKey);
  });

  it('ERR_TOKEN_WRONG_SESSION for a token lifted from another session', async () => {
    const other = await token({ sessionId: 'sess-other' });
    expect((await refusal(verifier().verify(other, use()), TokenError)).code).toBe(
      TokenErrorCode.WrongSession,
    );
  });

  it('ERR_TOKEN_REVOKED for a revoked jti', async () => {
    const text = await token();
    const { jti } = await verifier().verify(text, use());
    const err = await refusal(verifier({ isRevoked: (id) => id === jti }).verify(text, use()), TokenError);
    expect(err.code).toBe(TokenErrorCode.Revoked);
    expect(err.context.jti).toBe(jti);
  });

  it('ERR_TOKEN_MALFORMED for garbage and for a signed token missing cnf', async () => {
    for (const garbage of ['', 'abc', 'a.b', '!!.??.**', `${b64('x')}.e30.sig`]) {
      expect((await refusal(verifier().verify(garbage, use()), TokenError)).code).toBe(
        TokenErrorCode.Malformed,
      );
    }
    const noCnf = await new SignJWT({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: SID,
      jti: 'j',
      principal: 'p',
      purpose: 'p',
      tier: 't',
      tools: [],
    })
      .setProtectedHeader({ alg: 'EdDSA', kid: jwkThumbprint(issuerKey) })
      .setIssuedAt(T0 / 1000)
      .setNotBefore(T0 / 1000)
      .setExpirationTime(T0 / 1000 + 60)
      .sign(await importJWK(issuerKey, 'EdDSA'));
    const err = await refusal(verifier().verify(noCnf, use()), TokenError);
    expect(err.code).toBe(TokenErrorCode.Malformed);
    expect(err.message).toContain("'cnf.jkt'");
  });
});

function generateKeyPairJwk(): JsonWebKey {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
}
