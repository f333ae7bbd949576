import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transition } from 'xstate';
import type { SessionCommand, SessionStatus } from '../../../../statecharts/session/index.js';
import { containmentRank, SignalKind, sessionStatus } from '../../../../statecharts/session/index.js';
import { call, run, T0, testPolicy } from './support.js';

type Step = (at: number, index: number) => SessionCommand;

const operator = fc.constantFrom(
  'OPERATOR_RESUME',
  'OPERATOR_SCRUTINISE',
  'OPERATOR_READONLY',
  'OPERATOR_SUSPEND',
  'OPERATOR_KILL',
) as fc.Arbitrary<Extract<SessionCommand['type'], `OPERATOR_${string}`>>;

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ score: fc.double({ min: 0, max: 1, noNaN: true }) }).map(
    ({ score }): Step =>
      (at) => ({ type: 'RISK', score, reasons: ['generated'], at }),
  ),
  fc.constantFrom(...Object.values(SignalKind)).map(
    (kind): Step =>
      (at) => ({ type: 'SIGNAL', kind, detail: 'x', at }),
  ),
  fc.constant<Step>((at) => ({ type: 'REAUTH_OK', expiresAt: at + 3_600_000, at })),
  fc.constant<Step>((at) => ({ type: 'REAUTH_FAILED', reason: 'generated', at })),
  operator.map(
    (type): Step =>
      (at) =>
        ({ type, operator: 'fc', reason: 'generated', at }) as SessionCommand,
  ),
  fc.constantFrom('fs.read', 'fs.write', 'gh.merge', 'fs.env').map(
    (tool): Step =>
      (at, index) =>
        call(`c${index}`, tool, at),
  ),
  fc.constant<Step>((at) => ({ type: 'APPROVAL_GRANTED', callId: 'any', approver: 'fc', at })),
  fc.constant<Step>((at) => ({ type: 'RESTORED', at })),
);

/** Steps with the time they happen: gaps up to two hours make TTL, quiet, reauth and approval deadlines pass. */
const scenario = fc.array(fc.tuple(step, fc.integer({ min: 0, max: 7_200_000 })), { maxLength: 40 });

/** A less contained state is reachable only by re-authenticating, by an operator, or by scrutiny decaying. */
function mayRelease(from: SessionStatus, to: SessionStatus, event: SessionCommand): boolean {
  if (event.type === 'REAUTH_OK' || event.type.startsWith('OPERATOR_')) return true;
  return from === 'scrutinised' && to === 'active';
}

describe('session statechart: containment is monotone', () => {
  it('never releases a session except through reauth, an operator, or scrutiny decay; terminated is final', () => {
    fc.assert(
      fc.property(
        scenario,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 40 }),
        (steps, risks) => {
          const callRisk = Object.fromEntries(
            steps.map((_, i) => [`c${i}`, { score: risks[i] ?? 0, reasons: ['call'] }] as const),
          );
          const policy = testPolicy(callRisk);
          let { snapshot } = run(policy, []);
          let at = T0;
          for (const [index, [make, gap]] of steps.entries()) {
            at += gap;
            const event = make(at, index);
            const from = sessionStatus(snapshot.value);
            [snapshot] = transition(policy.machine, snapshot, event);
            const to = sessionStatus(snapshot.value);
            if (from === 'terminated') expect(to).toBe('terminated');
            if (containmentRank(to) < containmentRank(from)) expect(mayRelease(from, to, event)).toBe(true);
            expect(snapshot.status).toBe(to === 'terminated' ? 'done' : 'active');
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
