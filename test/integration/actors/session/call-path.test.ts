import { McpError, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApprovalRecordSchema,
  ControlErrorCode,
  controlSubjects,
  openControlBuckets,
} from '../../../../src/actors/control/index.js';
import { SessionRpcCode } from '../../../../src/actors/session/index.js';
import { refusal } from '../../../support/refusal.js';
import { type Mesh, startMesh, until } from './mesh-fixture.js';

const OPERATOR = { operator: 'sec-oncall', reason: 'test' };
const pr = (number: number) => ({ repo: 'acme/api', number });

function text(result: unknown): string {
  return (result as { content: { text: string }[] }).content[0]!.text;
}

describe('session actor: the zero-trust call path', () => {
  let mesh: Mesh;

  beforeAll(async () => {
    mesh = await startMesh({ approvalMs: 2_000 });
  });
  afterAll(() => mesh?.stop());

  it('lists only granted tools and runs an allowed call through the broker to the server', async () => {
    const { client } = await mesh.session('review');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['github.create_comment', 'github.get_pull_request']);
    const result = await client.callTool({ name: 'github.get_pull_request', arguments: pr(1) });
    expect(JSON.parse(text(result))).toMatchObject({ title: 'Fix the login redirect', state: 'open' });
  });

  it('denies a comment before that PR was read, allows it after, and never merges', async () => {
    const { sid, client } = await mesh.session('review');
    const early = await refusal(
      client.callTool({ name: 'github.create_comment', arguments: { ...pr(2), body: 'lgtm' } }),
      McpError,
    );
    expect(early.code).toBe(SessionRpcCode.Denied);
    expect(early.data).toMatchObject({ reason: 'DENY_REQUIRES', rule: 'policy.yaml:12', state: 'active' });
    expect(early.message).toContain('a required tool has not yet succeeded');

    await client.callTool({ name: 'github.get_pull_request', arguments: pr(1) });
    const otherPr = await refusal(
      client.callTool({ name: 'github.create_comment', arguments: { ...pr(2), body: 'x' } }),
      McpError,
    );
    expect(otherPr.data).toMatchObject({ reason: 'DENY_REQUIRES' });

    await client.callTool({ name: 'github.get_pull_request', arguments: pr(2) });
    const done = await client.callTool({
      name: 'github.create_comment',
      arguments: { ...pr(2), body: 'lgtm' },
    });
    expect(text(done)).toBe('Comment 1 added to acme/api#2.');

    const merge = await refusal(
      client.callTool({ name: 'github.merge_pull_request', arguments: pr(2) }),
      McpError,
    );
    expect(merge.data).toMatchObject({ reason: 'DENY_NOT_ALLOWED', rule: 'policy.yaml:13' });
    expect(merge.message).toMatch(/denied by rule policy\.yaml:13 .*explicitly forbids/);

    const seen = await mesh.control.inspect(sid);
    expect(seen.succeeded).toEqual({ 'github.get_pull_request': 2, 'github.create_comment': 1 });
    expect(seen.counters.session.calls).toBe(3);
    expect(seen.counters.session.bytesOut).toBeGreaterThan(0);
  });

  it('applies operator suspend to the very next call by revoking its token; resume does not revive the token', async () => {
    const { sid, client } = await mesh.session('review');
    await client.callTool({ name: 'github.get_pull_request', arguments: pr(1) });
    expect(await mesh.control.suspend(sid, OPERATOR)).toMatchObject({ state: 'suspended' });
    const next = await refusal(
      client.callTool({ name: 'github.get_pull_request', arguments: pr(1) }),
      McpError,
    );
    expect(next.data).toMatchObject({
      reason: 'ERR_TOKEN_REVOKED',
      rule: 'session-token',
      state: 'suspended',
    });
    expect((await refusal(client.listTools(), McpError)).data).toMatchObject({ reason: 'ERR_TOKEN_REVOKED' });
    await mesh.control.resume(sid, OPERATOR);
    const after = await refusal(
      client.callTool({ name: 'github.get_pull_request', arguments: pr(1) }),
      McpError,
    );
    expect(after.data).toMatchObject({ reason: 'ERR_TOKEN_REVOKED', state: 'active' });
    const history = (await mesh.control.inspect(sid)).transitions.map((t) => t.to);
    expect(history).toEqual(['active', 'suspended', 'active']);
  });

  it('readonly shrinks the tool list with list_changed and refuses writes', async () => {
    const { sid, client } = await mesh.session('review');
    expect((await client.listTools()).tools).toHaveLength(2);
    const changed = new Promise<void>((resolve) =>
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()),
    );
    await mesh.control.readonly(sid, OPERATOR);
    await changed;
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['github.get_pull_request']);
    await client.callTool({ name: 'github.get_pull_request', arguments: pr(1) });
    const write = await refusal(
      client.callTool({ name: 'github.create_comment', arguments: { ...pr(1), body: 'x' } }),
      McpError,
    );
    expect(write.data).toMatchObject({ reason: 'DENY_STATE_READONLY', state: 'readOnly' });
  });

  it('holds a privileged call and denies it once the approval times out', async () => {
    const { sid, client } = await mesh.session('release');
    const announced = nextApproval(mesh);
    const call = refusal(client.callTool({ name: 'github.merge_pull_request', arguments: pr(2) }), McpError);
    const request = await announced;
    expect(request).toMatchObject({
      sid,
      tool: 'github.merge_pull_request',
      status: 'pending',
      purpose: 'release',
    });
    expect(request.preview).toBe('{"repo":"acme/api","number":2}');
    expect((await mesh.control.listApprovals()).map((a) => a.callId)).toContain(request.callId);
    // This node has no approver identity provider: it takes no answer at all (fail closed).
    await expect(mesh.control.approve(sid, { callId: request.callId, idToken: 'any' })).rejects.toMatchObject(
      { code: ControlErrorCode.ApproverNotConfigured },
    );
    const err = await call;
    expect(err.data).toMatchObject({ reason: 'APPROVAL_TIMED_OUT', state: 'active' });
    expect(err.message).toContain('no approver answered');
    const left = await mesh.control.listApprovals();
    expect(left.map((a) => a.callId)).not.toContain(request.callId);
  });

  it('answers malformed control messages, unknown verbs and unknown sessions with typed errors', async () => {
    const { sid } = await mesh.session('review');
    const subjects = controlSubjects('tm');
    const ask = async (subject: string, body: string) =>
      JSON.parse(
        new TextDecoder().decode((await mesh.operator.request(subject, body, { timeout: 5_000 })).data),
      );
    expect(await ask(`tm.ctl.session.${sid}.explode`, '{}')).toMatchObject({
      ok: false,
      error: { code: ControlErrorCode.UnknownVerb },
    });
    expect(await ask(subjects.session(sid, 'suspend'), 'not json')).toMatchObject({
      error: { code: ControlErrorCode.Malformed },
    });
    const missing = await ask(subjects.session(sid, 'suspend'), '{"operator":""}');
    expect(missing.error.code).toBe(ControlErrorCode.Malformed);
    expect(missing.error.message).toMatch(/operator: .*reason: /);
    await expect(mesh.control.deny(sid, { callId: 'nope', idToken: 'x', reason: 'r' })).rejects.toMatchObject(
      {
        code: ControlErrorCode.ApproverNotConfigured,
      },
    );
    await expect(mesh.control.inspect('no-such-session')).rejects.toMatchObject({
      code: ControlErrorCode.UnknownSession,
    });
    expect((await mesh.control.inspect(sid)).state).toBe('active');
  });

  it('kill stops the session, closes its transport and removes it from the registry', async () => {
    const { sid, client } = await mesh.session('review');
    expect(await mesh.control.kill(sid, OPERATOR)).toMatchObject({ state: 'terminated' });
    await expect(client.callTool({ name: 'github.get_pull_request', arguments: pr(1) })).rejects.toThrow();
    const { sessions } = await openControlBuckets(mesh.operator);
    await until(async () => (await sessions.get(sid))?.operation !== 'PUT');
    await expect(mesh.control.inspect(sid)).rejects.toMatchObject({ code: ControlErrorCode.UnknownSession });
    expect((await mesh.control.listSessions()).map((s) => s.sid)).not.toContain(sid);
  });
});

/** The next approval announced on the approvals subject (which sessions cannot reach). */
function nextApproval(mesh: Mesh) {
  const sub = mesh.operator.subscribe(controlSubjects('tm').approvalsRequested, { max: 1 });
  return (async () => {
    for await (const msg of sub) return ApprovalRecordSchema.parse(msg.json());
    throw new Error('no approval was announced');
  })();
}
