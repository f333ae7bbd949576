import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApproverError, ApproverErrorCode, ApproverVerifier } from '../../../src/pki/approvers/index.js';

const NOW = Date.parse('2026-03-01T10:00:00Z');
const AUDIENCE = 'trustmesh-approvals';
const SESSION_PRINCIPAL = 'alice@example.com';

let server: Server;
let issuer: string;
let jwksRequests = 0;
let sign: (
  claims: JWTPayload,
  options?: { issuer?: string; audience?: string; iat?: number; exp?: number },
) => Promise<string>;

/** A local identity provider: discovery document and JWKS on 127.0.0.1, ES256 signing key. */
beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'idp-key-1', alg: 'ES256', use: 'sig' };
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') {
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    } else if (req.url === '/jwks') {
      jwksRequests++;
      res.end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sign = (claims, options = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'idp-key-1' })
      .setIssuer(options.issuer ?? issuer)
      .setAudience(options.audience ?? AUDIENCE)
      .setSubject('user-bob')
      .setIssuedAt(options.iat ?? NOW / 1000 - 60)
      .setExpirationTime(options.exp ?? NOW / 1000 + 600)
      .sign(privateKey);
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const verifier = () => new ApproverVerifier({ issuer, audience: AUDIENCE, clock: () => NOW });
const bob = { email: 'bob@example.com', amr: ['pwd', 'otp'] };

async function code(token: Promise<string>, principal = SESSION_PRINCIPAL): Promise<string> {
  const err = await verifier()
    .verify(await token, { sessionPrincipal: principal })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApproverError);
  return (err as ApproverError).code;
}

describe('ApproverVerifier against a local OIDC provider', () => {
  it('accepts a valid ID token with MFA, discovering the JWKS from the issuer', async () => {
    const before = jwksRequests;
    const identity = await verifier().verify(await sign(bob), { sessionPrincipal: SESSION_PRINCIPAL });
    expect(identity).toEqual({ issuer, subject: 'user-bob', email: 'bob@example.com', amr: ['pwd', 'otp'] });
    expect(jwksRequests).toBeGreaterThan(before);
  });

  it('refuses a token whose amr shows no MFA', async () => {
    expect(await code(sign({ ...bob, amr: ['pwd'] }))).toBe(ApproverErrorCode.Mfa);
    expect(await code(sign({ email: bob.email }))).toBe(ApproverErrorCode.Mfa);
  });

  it('refuses a wrong issuer and a wrong audience', async () => {
    expect(await code(sign(bob, { issuer: 'https://evil.example' }))).toBe(ApproverErrorCode.Issuer);
    expect(await code(sign(bob, { audience: 'another-client' }))).toBe(ApproverErrorCode.Audience);
  });

  it('refuses an expired token', async () => {
    expect(await code(sign(bob, { iat: NOW / 1000 - 7200, exp: NOW / 1000 - 3600 }))).toBe(
      ApproverErrorCode.Expired,
    );
  });

  it('refuses an approver approving their own session, by subject or by e-mail', async () => {
    expect(await code(sign(bob), 'user-bob')).toBe(ApproverErrorCode.SelfApproval);
    expect(await code(sign(bob), 'BOB@example.com')).toBe(ApproverErrorCode.SelfApproval);
  });

  it('refuses a token signed by a key the provider does not publish', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const forged = new SignJWT(bob)
      .setProtectedHeader({ alg: 'ES256', kid: 'idp-key-1' })
      .setIssuer(issuer)
      .setAudience(AUDIENCE)
      .setSubject('user-bob')
      .setIssuedAt(NOW / 1000)
      .setExpirationTime(NOW / 1000 + 600)
      .sign(privateKey);
    expect(await code(forged)).toBe(ApproverErrorCode.Signature);
  });

  it('reports an unreachable provider as ERR_APPROVER_PROVIDER', async () => {
    const offline = new ApproverVerifier({
      issuer: 'http://127.0.0.1:9',
      audience: AUDIENCE,
      clock: () => NOW,
    });
    await expect(
      offline.verify(await sign(bob), { sessionPrincipal: SESSION_PRINCIPAL }),
    ).rejects.toMatchObject({
      code: ApproverErrorCode.Provider,
    });
  });
});
