import { describe, expect, it } from 'vitest';
import { INPUT, live, T0, TTL_MS, testPolicy } from './support.js';

const call = (callId: string, tool: string, effect: 'read' | 'write' | 'admin' = 'read') =>
  ({ type: 'CALL', call: { callId, tool, effect, argsDigest: `sha256:${callId}` } }) as const;

describe('session statechart on a simulated clock', () => {
  it('moves to reauth exactly when the token expires', () => {
    const { clock, status, actor } = live(testPolicy());
    clock.increment(TTL_MS - 1);
    expect(status()).toBe('active');
    clock.increment(1);
    expect(status()).toBe('reauth');
    expect(actor.getSnapshot().context.history.at(-1)).toMatchObject({
      from: 'active',
      to: 'reauth',
      reason: 'the session token expired',
      at: INPUT.expiresAt,
    });
  });

  it('suspends a session that does not re-authenticate in time, and re-arms the TTL on success', () => {
    const timedOut = live(testPolicy());
    // SimulatedClock jumps to the end of an increment before firing timers, so step through each deadline.
    timedOut.clock.increment(TTL_MS);
    timedOut.clock.increment(120_000 - 1);
    expect(timedOut.status()).toBe('reauth');
    timedOut.clock.increment(1);
    expect(timedOut.status()).toBe('suspended');

    const renewed = live(testPolicy());
    renewed.clock.increment(TTL_MS);
    renewed.clock.increment(1_000);
    renewed.send({ type: 'REAUTH_OK', expiresAt: renewed.clock.now() + 10_000 });
    expect(renewed.status()).toBe('active');
    renewed.clock.increment(120_000);
    expect(renewed.status()).toBe('reauth');
    expect(renewed.actor.getSnapshot().context.history.at(-1)?.at).toBe(T0 + TTL_MS + 11_000);
  });

  it('denies a held call when no approver answers in time', () => {
    const { clock, send, emitted, actor } = live(testPolicy());
    send(call('m1', 'gh.merge', 'admin'));
    clock.increment(59_999);
    expect(actor.getSnapshot().value).toEqual({ active: 'awaitingApproval' });
    clock.increment(1);
    expect(actor.getSnapshot().value).toEqual({ active: 'idle' });
    expect(emitted.at(-1)).toMatchObject({
      type: 'decided',
      callId: 'm1',
      verdict: 'deny',
      reason: 'no approver answered within 60000 ms (rule merge-needs-approval)',
      at: T0 + 60_000,
    });
  });

  it('lets scrutiny decay after a quiet period, which risk in the hysteresis band restarts', () => {
    const { clock, send, status } = live(testPolicy());
    send({ type: 'RISK', score: 0.6, reasons: ['odd hours'] });
    expect(status()).toBe('scrutinised');
    clock.increment(200_000);
    send({ type: 'RISK', score: 0.35, reasons: ['still odd'] });
    clock.increment(200_000);
    expect(status()).toBe('scrutinised');
    clock.increment(100_000);
    expect(status()).toBe('active');
  });

  it('never decays readOnly, however long it stays quiet', () => {
    const { clock, send, status } = live(testPolicy());
    send({ type: 'RISK', score: 0.8, reasons: ['bulk download'] });
    clock.increment(TTL_MS - 1);
    expect(status()).toBe('readOnly');
  });
});
