import { describe, expect, it } from 'vitest';
import type { InspectedMicrostepEvent, InspectionEvent } from 'xstate';
import { createActor } from 'xstate';
import { sessionStatus } from '../../../../statecharts/session/index.js';
import type { Snapshot } from './support.js';
import { INPUT, live, T0, TTL_MS, testPolicy } from './support.js';

const statusOf = (e: InspectedMicrostepEvent) => sessionStatus((e.snapshot as unknown as Snapshot).value);
const isMicrostep = (e: InspectionEvent): e is InspectedMicrostepEvent => e.type === '@xstate.microstep';

const read = (callId: string) =>
  ({
    type: 'CALL',
    call: { callId, tool: 'fs.read', effect: 'read', argsDigest: `sha256:${callId}` },
  }) as const;

/** Top-level moves as the inspection stream shows them: one per microstep that changes the state. */
function moves(stream: InspectionEvent[]) {
  const out: { from: string; to: string; event: string }[] = [];
  let from = 'active';
  for (const e of stream) {
    if (!isMicrostep(e)) continue;
    const to = statusOf(e);
    if (to !== from) out.push({ from, to, event: e.event.type });
    from = to;
  }
  return out;
}

describe('session statechart: inspected live actor', () => {
  it('shows a containment flow in the inspection stream, the crossing call decided in the new state', () => {
    const stream: InspectionEvent[] = [];
    const policy = testPolicy({ c2: { score: 0.8, reasons: ['bulk read of src/'] } });
    const { send, emitted, clock } = live(policy, { inspect: (e) => stream.push(e) });
    send(read('c1'));
    clock.increment(1_000);
    send(read('c2'));
    send({ type: 'SIGNAL', kind: 'cross_session', detail: 'published to tm.s.other' });
    send({ type: 'OPERATOR_RESUME', operator: 'alice', reason: 'reviewed' });

    expect(moves(stream)).toEqual([
      { from: 'active', to: 'readOnly', event: 'RISK' },
      { from: 'readOnly', to: 'suspended', event: 'SIGNAL' },
      { from: 'suspended', to: 'active', event: 'OPERATOR_RESUME' },
    ]);
    const c2 = stream.findIndex(
      (e) => e.type === '@xstate.event' && e.event.type === 'CALL' && e.event.call.callId === 'c2',
    );
    const decidedIn = stream
      .slice(c2)
      .filter(isMicrostep)
      .find((e) => e.event.type === 'session.decided');
    expect(decidedIn && statusOf(decidedIn)).toBe('readOnly');
    expect(emitted.filter((e) => e.type === 'decided')).toEqual([
      expect.objectContaining({ callId: 'c1', state: 'active', verdict: 'allow' }),
      expect.objectContaining({ callId: 'c2', state: 'readOnly', verdict: 'allow', at: T0 + 1_000 }),
    ]);
  });
});

describe('session statechart: persisted snapshots', () => {
  it('restores state, history and a held approval on another actor, with deadlines re-armed', () => {
    const policy = testPolicy();
    const first = live(policy);
    first.send({ type: 'RISK', score: 0.6, reasons: ['odd hours'] });
    first.send({
      type: 'CALL',
      call: { callId: 'm1', tool: 'gh.merge', effect: 'admin', argsDigest: 'sha256:m1' },
    });
    const persisted = JSON.parse(JSON.stringify(first.actor.getPersistedSnapshot()));
    first.actor.stop();

    const second = live(policy);
    second.actor.stop();
    const restored = createActor(policy.machine, { clock: second.clock, snapshot: persisted, input: INPUT });
    const emitted: unknown[] = [];
    restored.on('*', (e) => emitted.push(e));
    restored.start();
    expect(restored.getSnapshot().value).toEqual({ scrutinised: 'awaitingApproval' });
    expect(restored.getSnapshot().context.history).toEqual(first.actor.getSnapshot().context.history);
    expect(restored.getSnapshot().context.pending?.call.callId).toBe('m1');

    restored.send({ type: 'RESTORED', at: second.clock.now() });
    second.clock.increment(60_000);
    expect(emitted.at(-1)).toMatchObject({ type: 'decided', callId: 'm1', verdict: 'deny' });
    second.clock.increment(240_000);
    expect(sessionStatus(restored.getSnapshot().value)).toBe('active');
    second.clock.increment(TTL_MS - 300_000);
    expect(sessionStatus(restored.getSnapshot().value)).toBe('reauth');
  });
});
