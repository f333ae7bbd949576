import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApprovalRecord,
  ApprovalRecordSchema,
  ApprovalStatus,
  ControlErrorCode,
  controlSubjects,
} from '../../../../src/actors/control/index.js';
import { ApproverErrorCode } from '../../../../src/pki/approvers/index.js';
import { type OidcProvider, startOidcProvider } from '../../../support/oidc-provider.js';
import { refusal } from '../../../support/refusal.js';
import { type Mesh, startMesh } from './mesh-fixture.js';

const pr = (number: number) => ({ repo: 'acme/api', number });
const MFA = { amr: ['pwd', 'otp'] };
const HOUR = 3600;

describe('approvals carry an approver ID token the node verifies', () => {
  let idp: OidcProvider;
  let mesh: Mesh;

  beforeAll(async () => {
    idp = await startOidcProvider();
    mesh = await startMesh({ approvers: { issuer: idp.issuer, audience: idp.audience } });
  });
  afterAll(async () => {
    await mesh?.stop();
    await idp?.stop();
  });

  /** A release session with a merge held for approval. */
  async function held(number: number) {
    const { sid, client } = await mesh.session('release');
    const announced = nextApproval(mesh);
    const call = client.callTool({ name: 'github.merge_pull_request', arguments: pr(number) });
    return { sid, call, request: await announced };
  }

  it('refuses each bad ID token with its code and keeps the call waiting; a valid MFA token approves it', async () => {
    const { sid, call, request } = await held(1);
    const now = Math.floor(Date.now() / 1000);
    const refusals: [string, Promise<string>][] = [
      [ApproverErrorCode.Mfa, idp.sign({ amr: ['pwd'] })],
      [ApproverErrorCode.Audience, idp.sign(MFA, { audience: 'another-client' })],
      [ApproverErrorCode.Issuer, idp.sign(MFA, { issuer: 'https://evil.example' })],
      [ApproverErrorCode.Expired, idp.sign(MFA, { iat: now - 2 * HOUR, exp: now - HOUR })],
      [ApproverErrorCode.Signature, idp.sign(MFA, { foreignKey: true })],
      // The session's own principal, by subject and by e-mail.
      [ApproverErrorCode.SelfApproval, idp.sign(MFA, { subject: 'alice@example.com' })],
      [ApproverErrorCode.SelfApproval, idp.sign({ ...MFA, email: 'Alice@Example.com' })],
      [ApproverErrorCode.Malformed, Promise.resolve('not-a-jwt')],
    ];
    for (const [code, token] of refusals) {
      const idToken = await token;
      await expect(mesh.control.approve(sid, { callId: request.callId, idToken })).rejects.toMatchObject({
        code,
      });
      expect((await mesh.control.inspect(sid)).pendingApproval?.callId).toBe(request.callId);
    }
    expect((await mesh.control.listApprovals()).map((a) => a.callId)).toContain(request.callId);

    const answer = await mesh.control.approve(sid, {
      callId: request.callId,
      idToken: await idp.sign({ ...MFA, email: 'bob@example.com' }),
      reason: 'release sign-off',
    });
    expect(answer).toMatchObject({ status: ApprovalStatus.Approved, approver: 'user-bob' });
    expect(JSON.stringify((await call).content)).toContain('Merged acme/api#1.');
    expect((await mesh.control.listApprovals()).map((a) => a.callId)).not.toContain(request.callId);
  });

  it('a verified denial refuses the call with its reason and records the approver', async () => {
    const { sid, call, request } = await held(2);
    const refused = refusal(call, McpError);
    const denial = await mesh.control.deny(sid, {
      callId: request.callId,
      idToken: await idp.sign(MFA, { subject: 'user-carol' }),
      reason: 'release freeze',
    });
    expect(denial).toMatchObject({
      status: ApprovalStatus.Denied,
      approver: 'user-carol',
      answer: 'release freeze',
    });
    expect((await refused).message).toContain('release freeze');
  });

  it('a refused denial leaves the call waiting too, and a call that is not held is named as such', async () => {
    const { sid, call, request } = await held(1);
    await expect(
      mesh.control.deny(sid, {
        callId: request.callId,
        idToken: await idp.sign({ amr: ['pwd'] }),
        reason: 'no',
      }),
    ).rejects.toMatchObject({ code: ApproverErrorCode.Mfa });
    expect((await mesh.control.inspect(sid)).pendingApproval?.callId).toBe(request.callId);
    await expect(
      mesh.control.approve(sid, { callId: 'not-held', idToken: await idp.sign(MFA) }),
    ).rejects.toMatchObject({ code: ControlErrorCode.NoPendingApproval });
    await mesh.control.approve(sid, { callId: request.callId, idToken: await idp.sign(MFA) });
    expect(JSON.stringify((await call).content)).toContain('Merged acme/api#1.');
  });
});

/** The next approval announced on the approvals subject (which sessions cannot reach). */
function nextApproval(mesh: Mesh): Promise<ApprovalRecord> {
  const sub = mesh.operator.subscribe(controlSubjects('tm').approvalsRequested, { max: 1 });
  return (async () => {
    for await (const msg of sub) return ApprovalRecordSchema.parse(msg.json());
    throw new Error('no approval was announced');
  })();
}
