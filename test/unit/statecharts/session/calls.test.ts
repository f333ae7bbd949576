import { describe, expect, it } from 'vitest';
import { withDecisionPoint } from '../../../../statecharts/session/index.js';
import { call, run, snapshotIn, T0, TTL_MS, testPolicy } from './support.js';

describe('session statechart: the call that crosses a threshold is decided in the new state', () => {
  it('a read whose own risk crosses the scrutiny threshold is decided in scrutinised', () => {
    const policy = testPolicy({ c1: { score: 0.55, reasons: ['unusual path'] } });
    const { status, emitted, snapshot } = run(policy, [call('c1', 'fs.read')]);
    expect(status).toBe('scrutinised');
    expect(policy.asked.map((a) => a.state)).toEqual(['scrutinised']);
    expect(emitted.map((e) => e.type)).toEqual(['transitioned', 'transitioned', 'contained', 'decided']);
    expect(emitted.at(-1)).toMatchObject({
      type: 'decided',
      callId: 'c1',
      verdict: 'allow',
      state: 'scrutinised',
    });
    expect(snapshot.context.history.at(-1)).toMatchObject({
      event: 'RISK',
      reason: 'risk 0.55 from call c1: unusual path',
    });
  });

  it('a write that crosses into scrutiny is not allowed outright: it waits for step-up approval', () => {
    const policy = testPolicy({ c1: { score: 0.6, reasons: ['write burst'] } });
    const { snapshot, emitted } = run(policy, [call('c1', 'fs.write')]);
    expect(snapshot.value).toEqual({ scrutinised: 'awaitingApproval' });
    expect(emitted.some((e) => e.type === 'decided')).toBe(false);
    expect(emitted.at(-1)).toMatchObject({
      type: 'approval_requested',
      callId: 'c1',
      argsDigest: 'sha256:c1',
    });
  });

  it('a write that crosses into readOnly is denied by the state, without asking the policy', () => {
    const policy = testPolicy({ c1: { score: 0.8, reasons: ['exfil pattern'] } });
    const { status, emitted } = run(policy, [call('c1', 'fs.write')]);
    expect(status).toBe('readOnly');
    expect(policy.asked).toEqual([]);
    expect(emitted.at(-1)).toMatchObject({ type: 'decided', verdict: 'deny', state: 'readOnly' });
    expect(emitted.at(-1)).toHaveProperty('reason', expect.stringContaining('read-only'));
  });

  it('a call that crosses the suspend threshold is denied in suspended', () => {
    const policy = testPolicy({ c1: { score: 0.97, reasons: ['canary proximity'] } });
    const { status, emitted } = run(policy, [call('c1', 'fs.read')]);
    expect(status).toBe('suspended');
    expect(policy.asked).toEqual([]);
    expect(emitted.at(-1)).toMatchObject({ type: 'decided', verdict: 'deny', state: 'suspended' });
  });

  it('a call made after the token expired is decided in reauth even if the timer has not fired yet', () => {
    const policy = testPolicy();
    const { status, emitted } = run(policy, [call('c1', 'fs.read', T0 + TTL_MS + 5)]);
    expect(status).toBe('reauth');
    expect(policy.asked).toEqual([]);
    expect(emitted.at(-1)).toMatchObject({ type: 'decided', verdict: 'deny', state: 'reauth' });
  });
});

describe('session statechart: decisions by state', () => {
  it('passes the policy verdict, reason and rule through in active', () => {
    const policy = testPolicy();
    const { emitted } = run(policy, [call('c1', 'fs.read'), call('c2', 'fs.env'), call('c3', 'fs.write')]);
    expect(emitted.filter((e) => e.type === 'decided')).toEqual([
      expect.objectContaining({ callId: 'c1', verdict: 'allow', rule: 'read-src', state: 'active' }),
      expect.objectContaining({ callId: 'c2', verdict: 'deny', reason: 'rule no-dotenv excludes .env' }),
      expect.objectContaining({ callId: 'c3', verdict: 'allow', rule: 'write-tmp' }),
    ]);
    expect(policy.asked.map((a) => a.state)).toEqual(['active', 'active', 'active']);
  });

  it('readOnly asks the policy about reads only', () => {
    const policy = testPolicy();
    const { emitted } = run(
      policy,
      [call('c1', 'fs.read'), call('c2', 'fs.write')],
      snapshotIn(policy, 'readOnly'),
    );
    expect(emitted.filter((e) => e.type === 'decided').map((e) => 'verdict' in e && e.verdict)).toEqual([
      'allow',
      'deny',
    ]);
    expect(policy.asked.map((a) => [a.state, a.call.tool])).toEqual([['readOnly', 'fs.read']]);
  });

  it.each(['suspended', 'reauth'] as const)('%s denies every call without asking the policy', (state) => {
    const policy = testPolicy();
    const { emitted, status } = run(
      policy,
      [call('c1', 'fs.read', T0 + TTL_MS + 1)],
      snapshotIn(policy, state),
    );
    expect(status).toBe(state);
    expect(policy.asked).toEqual([]);
    expect(emitted).toEqual([expect.objectContaining({ type: 'decided', verdict: 'deny', state })]);
  });

  it('a policy that throws denies the call and keeps the session running', () => {
    const machine = withDecisionPoint({
      assessCall: () => undefined,
      decideCall: () => {
        throw new Error('cedar evaluation failed');
      },
    });
    const { emitted, status, snapshot } = run({ machine, asked: [] }, [call('c1', 'fs.read')]);
    expect(status).toBe('active');
    expect(snapshot.status).toBe('active');
    expect(emitted.at(-1)).toMatchObject({
      verdict: 'deny',
      reason: expect.stringContaining('cedar evaluation failed'),
    });
  });
});

describe('session statechart: privileged calls wait for approval', () => {
  const approve = (callId: string, at = T0 + 50) =>
    ({ type: 'APPROVAL_GRANTED', callId, approver: 'carol', at }) as const;

  it('holds the call, announces it, and allows it when its approver answers', () => {
    const policy = testPolicy();
    const held = run(policy, [call('m1', 'gh.merge')]);
    expect(held.snapshot.value).toEqual({ active: 'awaitingApproval' });
    expect(held.emitted.at(-1)).toEqual({
      type: 'approval_requested',
      callId: 'm1',
      tool: 'gh.merge',
      argsDigest: 'sha256:m1',
      reason: 'rule merge-needs-approval',
      state: 'active',
      deadline: T0 + 1 + 60_000,
      at: T0 + 1,
    });
    const stranger = run(policy, [approve('other')], held.snapshot);
    expect(stranger.snapshot.value).toEqual({ active: 'awaitingApproval' });
    const done = run(policy, [approve('m1')], held.snapshot);
    expect(done.snapshot.value).toEqual({ active: 'idle' });
    expect(done.emitted).toEqual([
      expect.objectContaining({
        type: 'decided',
        callId: 'm1',
        verdict: 'allow',
        reason: 'approved by carol (rule merge-needs-approval)',
      }),
    ]);
    expect(done.snapshot.context.pending).toBeNull();
  });

  it('denies the call when the approver denies it', () => {
    const policy = testPolicy();
    const { emitted, snapshot } = run(policy, [
      call('m1', 'gh.merge'),
      { type: 'APPROVAL_DENIED', callId: 'm1', approver: 'dave', reason: 'not during freeze', at: T0 + 9 },
    ]);
    expect(snapshot.value).toEqual({ active: 'idle' });
    expect(emitted.at(-1)).toMatchObject({
      verdict: 'deny',
      reason: expect.stringContaining('not during freeze'),
    });
  });

  it('decides other calls meanwhile, and refuses a second approval while one is held', () => {
    const policy = testPolicy();
    const { emitted, snapshot } = run(policy, [
      call('m1', 'gh.merge'),
      call('r1', 'fs.read'),
      call('m2', 'gh.merge'),
    ]);
    expect(snapshot.context.pending?.call.callId).toBe('m1');
    expect(emitted.filter((e) => e.type === 'decided')).toEqual([
      expect.objectContaining({ callId: 'r1', verdict: 'allow' }),
      expect.objectContaining({
        callId: 'm2',
        verdict: 'deny',
        reason: expect.stringContaining('awaiting approval'),
      }),
    ]);
  });

  it('containment during approval applies at once and denies the held call', () => {
    const policy = testPolicy();
    const { emitted, status, snapshot } = run(policy, [
      call('m1', 'gh.merge'),
      { type: 'SIGNAL', kind: 'replay', detail: 'sequence 7 seen twice', at: T0 + 20 },
    ]);
    expect(status).toBe('suspended');
    expect(snapshot.context.pending).toBeNull();
    expect(emitted.filter((e) => e.type === 'decided')).toEqual([
      expect.objectContaining({
        callId: 'm1',
        verdict: 'deny',
        reason: expect.stringContaining('replay: sequence 7 seen twice'),
      }),
    ]);
    const late = run(policy, [approve('m1', T0 + 30)], snapshot);
    expect(late.status).toBe('suspended');
    expect(late.emitted).toEqual([]);
  });
});
