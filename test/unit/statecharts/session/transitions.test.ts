import { describe, expect, it } from 'vitest';
import type { SessionCommand, SessionStatus } from '../../../../statecharts/session/index.js';
import { SignalKind } from '../../../../statecharts/session/index.js';
import { INPUT, run, snapshotIn, T0, TTL_MS, testPolicy } from './support.js';

const at = T0 + 100;
const risk = (score: number): SessionCommand => ({ type: 'RISK', score, reasons: ['test'], at });
const op = (type: Extract<SessionCommand['type'], `OPERATOR_${string}`>): SessionCommand =>
  ({ type, operator: 'oncall', reason: 'incident 42', at }) as SessionCommand;

const TABLE: ReadonlyArray<readonly [SessionStatus, SessionCommand, SessionStatus]> = [
  ['active', risk(0.49), 'active'],
  ['active', risk(0.5), 'scrutinised'],
  ['active', risk(0.8), 'readOnly'],
  ['active', risk(0.95), 'suspended'],
  ['scrutinised', risk(0.6), 'scrutinised'],
  ['scrutinised', risk(0.4), 'scrutinised'],
  ['scrutinised', risk(0.2), 'active'],
  ['scrutinised', risk(0.75), 'readOnly'],
  ['scrutinised', risk(0.9), 'suspended'],
  ['readOnly', risk(0), 'readOnly'],
  ['readOnly', risk(0.95), 'suspended'],
  ['suspended', risk(0), 'suspended'],
  ['reauth', risk(0.6), 'reauth'],
  ['reauth', risk(0.92), 'suspended'],
  ['reauth', { type: 'REAUTH_OK', expiresAt: T0 + 2 * TTL_MS, at: T0 + TTL_MS }, 'active'],
  ['reauth', { type: 'REAUTH_OK', expiresAt: T0, at: T0 + TTL_MS }, 'reauth'],
  ['reauth', { type: 'REAUTH_FAILED', reason: 'bad proof of possession', at }, 'suspended'],
  ['suspended', { type: 'REAUTH_OK', expiresAt: T0 + 2 * TTL_MS, at }, 'suspended'],
  ['readOnly', { type: 'REAUTH_OK', expiresAt: T0 + 2 * TTL_MS, at }, 'readOnly'],
  ...(['active', 'scrutinised', 'readOnly', 'reauth'] as const).flatMap((from) =>
    Object.values(SignalKind).map(
      (kind) => [from, { type: 'SIGNAL', kind, detail: 'seen', at } as SessionCommand, 'suspended'] as const,
    ),
  ),
  ['suspended', { type: 'SIGNAL', kind: 'replay', detail: 'again', at }, 'suspended'],
  ...(['active', 'scrutinised', 'readOnly', 'reauth', 'suspended'] as const).flatMap((from) =>
    (
      [
        ['OPERATOR_RESUME', 'active'],
        ['OPERATOR_SCRUTINISE', 'scrutinised'],
        ['OPERATOR_READONLY', 'readOnly'],
        ['OPERATOR_SUSPEND', 'suspended'],
        ['OPERATOR_KILL', 'terminated'],
      ] as const
    ).map(([type, to]) => [from, op(type), to] as const),
  ),
  ['terminated', op('OPERATOR_RESUME'), 'terminated'],
  ['terminated', risk(0), 'terminated'],
];

describe('session statechart: pure transitions', () => {
  it.each(TABLE)('%s + %o → %s', (from, event, to) => {
    const policy = testPolicy();
    const { status } = run(policy, [event], snapshotIn(policy, from));
    expect(status).toBe(to);
  });

  it('starts active with the start recorded and the TTL deadline from the token', () => {
    const { snapshot, status } = run(testPolicy(), []);
    expect(status).toBe('active');
    expect(snapshot.context.deadlines.ttl).toBe(INPUT.expiresAt);
    expect(snapshot.context.history).toEqual([
      { from: null, to: 'active', event: 'xstate.init', reason: 'session started', at: T0 },
    ]);
  });

  it('terminated is final and hands its history as output', () => {
    const policy = testPolicy();
    const { snapshot } = run(policy, [op('OPERATOR_KILL')]);
    expect(snapshot.status).toBe('done');
    expect(snapshot.output?.history.at(-1)).toMatchObject({
      from: 'active',
      to: 'terminated',
      reason: 'operator oncall: incident 42',
    });
  });

  it('re-authentication returns to scrutinised when the session was contained before it', () => {
    for (const from of ['scrutinised', 'readOnly'] as const) {
      const policy = testPolicy();
      const expired = run(policy, [{ type: 'RESTORED', at: T0 + TTL_MS }], snapshotIn(policy, from));
      expect(expired.status).toBe('reauth');
      const back = run(
        policy,
        [{ type: 'REAUTH_OK', expiresAt: T0 + 2 * TTL_MS, at: T0 + TTL_MS + 1 }],
        expired.snapshot,
      );
      expect(back.status).toBe('scrutinised');
      expect(back.snapshot.context.deadlines.ttl).toBe(T0 + 2 * TTL_MS);
    }
  });

  it('risk seen during reauth brings the session back under scrutiny', () => {
    const policy = testPolicy();
    const { status } = run(
      policy,
      [risk(0.6), { type: 'REAUTH_OK', expiresAt: T0 + 2 * TTL_MS, at: T0 + TTL_MS + 1 }],
      snapshotIn(policy, 'reauth'),
    );
    expect(status).toBe('scrutinised');
  });

  it('records every transition with from, to, event, reason and time, and emits contained only downward', () => {
    const policy = testPolicy();
    const events: SessionCommand[] = [
      { type: 'RISK', score: 0.6, reasons: ['burst of reads'], at: T0 + 1 },
      { type: 'SIGNAL', kind: 'canary', detail: 'read canary token', at: T0 + 2 },
      { type: 'OPERATOR_RESUME', operator: 'alice', reason: 'false positive', at: T0 + 3 },
    ];
    const { snapshot, emitted } = run(policy, events);
    expect(snapshot.context.history.slice(1)).toEqual([
      { from: 'active', to: 'scrutinised', event: 'RISK', reason: 'risk 0.6: burst of reads', at: T0 + 1 },
      {
        from: 'scrutinised',
        to: 'suspended',
        event: 'SIGNAL',
        reason: 'canary: read canary token',
        at: T0 + 2,
      },
      {
        from: 'suspended',
        to: 'active',
        event: 'OPERATOR_RESUME',
        reason: 'operator alice: false positive',
        at: T0 + 3,
      },
    ]);
    expect(emitted.filter((e) => e.type === 'contained')).toEqual([
      {
        type: 'contained',
        from: 'active',
        to: 'scrutinised',
        reason: 'risk 0.6: burst of reads',
        at: T0 + 1,
      },
      {
        type: 'contained',
        from: 'scrutinised',
        to: 'suspended',
        reason: 'canary: read canary token',
        at: T0 + 2,
      },
    ]);
    expect(emitted.filter((e) => e.type === 'transitioned')).toHaveLength(4);
  });

  it('keeps only the last historyLimit transitions', () => {
    const toggles = Array.from({ length: 10 }, (_, i) => ({
      type: i % 2 === 0 ? 'OPERATOR_SUSPEND' : 'OPERATOR_RESUME',
      operator: 'bob',
      reason: `toggle ${i}`,
      at: T0 + i + 1,
    })) as SessionCommand[];
    const { snapshot } = run(testPolicy(), toggles, undefined, { ...INPUT, historyLimit: 3 });
    expect(snapshot.context.history.map((r) => r.reason)).toEqual([
      'operator bob: toggle 7',
      'operator bob: toggle 8',
      'operator bob: toggle 9',
    ]);
  });
});
