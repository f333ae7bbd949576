import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApproverError, ApproverErrorCode, ApproverVerifier } from '../../../src/pki/approvers/index.js';
import { type OidcProvider, startOidcProvider } from '../../support/oidc-provider.js';

const NOW = Date.parse('2026-03-01T10:00:00Z');
const SESSION_PRINCIPAL = 'alice@example.com';

let idp: OidcProvider;

beforeAll(async () => {
  idp = await startOidcProvider(() => NOW);
});
afterAll(() => idp?.stop());

const verifier = () => new ApproverVerifier({ issuer: idp.issuer, audience: idp.audience, clock: () => NOW });
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
    const before = idp.jwksRequests;
    const identity = await verifier().verify(await idp.sign(bob), { sessionPrincipal: SESSION_PRINCIPAL });
    expect(identity).toEqual({
      issuer: idp.issuer,
      subject: 'user-bob',
      email: 'bob@example.com',
      amr: ['pwd', 'otp'],
    });
    expect(idp.jwksRequests).toBeGreaterThan(before);
  });

  it('refuses a token whose amr shows no MFA', async () => {
    expect(await code(idp.sign({ ...bob, amr: ['pwd'] }))).toBe(ApproverErrorCode.Mfa);
    expect(await code(idp.sign({ email: bob.email }))).toBe(ApproverErrorCode.Mfa);
  });

  it('refuses a wrong issuer and a wrong audience', async () => {
    expect(await code(idp.sign(bob, { issuer: 'https://evil.example' }))).toBe(ApproverErrorCode.Issuer);
    expect(await code(idp.sign(bob, { audience: 'another-client' }))).toBe(ApproverErrorCode.Audience);
  });

  it('refuses an expired token', async () => {
    expect(await code(idp.sign(bob, { iat: NOW / 1000 - 7200, exp: NOW / 1000 - 3600 }))).toBe(
      ApproverErrorCode.Expired,
    );
  });

  it('refuses an approver approving their own session, by subject or by e-mail', async () => {
    expect(await code(idp.sign(bob), 'user-bob')).toBe(ApproverErrorCode.SelfApproval);
    expect(await code(idp.sign(bob), 'BOB@example.com')).toBe(ApproverErrorCode.SelfApproval);
  });

  it('refuses a token signed by a key the provider does not publish', async () => {
    expect(await code(idp.sign(bob, { foreignKey: true }))).toBe(ApproverErrorCode.Signature);
  });

  it('reports an unreachable provider as ERR_APPROVER_PROVIDER', async () => {
    const offline = new ApproverVerifier({
      issuer: 'http://127.0.0.1:9',
      audience: idp.audience,
      clock: () => NOW,
    });
    await expect(
      offline.verify(await idp.sign(bob), { sessionPrincipal: SESSION_PRINCIPAL }),
    ).rejects.toMatchObject({
      code: ApproverErrorCode.Provider,
    });
  });
});
