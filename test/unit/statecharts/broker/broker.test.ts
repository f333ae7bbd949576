import { describe, expect, it } from 'vitest';
import type { SnapshotFrom } from 'xstate';
import { createActor, initialTransition, SimulatedClock, transition } from 'xstate';
import type { BrokerEvent } from '../../../../statecharts/broker/index.js';
import {
  acceptsCalls,
  backoffDelay,
  brokerMachine,
  DEFAULT_RETRY,
  initialBrokerContext,
  withRandom,
} from '../../../../statecharts/broker/index.js';

type Snapshot = SnapshotFrom<typeof brokerMachine>;
const INPUT = { server: 'fs', retry: { baseMs: 100, maxMs: 1_000, jitter: 0.5, maxAttempts: 4 } };
const diff = { added: [], removed: [], changed: ['read_file'] };

function run(events: readonly BrokerEvent[], from?: Snapshot): Snapshot {
  let [snapshot] = from ? [from] : initialTransition(brokerMachine, INPUT);
  for (const event of events) [snapshot] = transition(brokerMachine, snapshot, event);
  return snapshot;
}

const ready = () => run([{ type: 'CONNECTED' }]);

describe('broker statechart: pure transitions', () => {
  it.each<[string, () => Snapshot, BrokerEvent, unknown]>([
    ['connecting', () => run([]), { type: 'CONNECTED' }, 'ready'],
    ['connecting', () => run([]), { type: 'CONNECT_FAILED', error: 'ENOENT' }, { failed: 'retrying' }],
    ['connecting', () => run([]), { type: 'TOOLS_CHANGED', diff }, 'quarantined'],
    ['ready', ready, { type: 'TOOLS_CHANGED', diff }, 'quarantined'],
    [
      'ready',
      ready,
      { type: 'INJECTION_FLAGGED', tool: 'read_file', markers: ['<IMPORTANT>'] },
      'quarantined',
    ],
    ['ready', ready, { type: 'SERVER_EXITED', error: 'exit 137' }, { failed: 'retrying' }],
    ['ready', ready, { type: 'DRAIN' }, 'draining'],
    ['ready', ready, { type: 'OPERATOR_APPROVE', operator: 'alice' }, 'ready'],
    [
      'quarantined',
      () => run([{ type: 'TOOLS_CHANGED', diff }], ready()),
      { type: 'CONNECTED' },
      'quarantined',
    ],
    [
      'quarantined',
      () => run([{ type: 'TOOLS_CHANGED', diff }], ready()),
      { type: 'OPERATOR_APPROVE', operator: 'a' },
      'ready',
    ],
    ['draining', () => run([{ type: 'DRAIN' }], ready()), { type: 'CONNECTED' }, 'draining'],
    ['draining', () => run([{ type: 'DRAIN' }], ready()), { type: 'DRAINED' }, 'stopped'],
  ])('%s + %o', (_from, start, event, to) => {
    expect(run([event], start()).value).toEqual(to);
  });

  it('keeps a quarantine across a crash and reconnect until an operator approves', () => {
    const flagged = run(
      [{ type: 'INJECTION_FLAGGED', tool: 'read_file', markers: ['<IMPORTANT>'] }],
      ready(),
    );
    const back = run(
      [
        { type: 'SERVER_EXITED', error: 'exit 1' },
        { type: 'OPERATOR_RETRY', operator: 'bob' },
        { type: 'CONNECTED' },
      ],
      flagged,
    );
    expect(back.value).toBe('quarantined');
    expect(back.context.quarantine).toEqual({
      kind: 'injection_flagged',
      tool: 'read_file',
      markers: ['<IMPORTANT>'],
    });
    const approved = run([{ type: 'OPERATOR_APPROVE', operator: 'alice' }], back);
    expect(approved.value).toBe('ready');
    expect(approved.context.quarantine).toBeNull();
  });

  it('accepts calls only while ready', () => {
    expect(acceptsCalls(ready().value)).toBe(true);
    for (const snapshot of [
      run([]),
      run([{ type: 'TOOLS_CHANGED', diff }], ready()),
      run([{ type: 'DRAIN' }]),
    ]) {
      expect(acceptsCalls(snapshot.value)).toBe(false);
    }
  });

  it('rejects contradictory input with the field at fault', () => {
    expect(() => initialBrokerContext({ server: 'fs', retry: { baseMs: 500, maxMs: 100 } })).toThrow(
      /retry\.maxMs/,
    );
    expect(() => initialBrokerContext({ server: '' })).toThrow(
      expect.objectContaining({ code: 'ERR_STATECHART_INPUT' }),
    );
  });
});

describe('broker statechart: backoff', () => {
  it('doubles from the base up to the cap, minus up to the jitter fraction', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, DEFAULT_RETRY, 0))).toEqual([
      500, 1000, 2000, 4000, 8000, 16000,
    ]);
    expect(backoffDelay(20, DEFAULT_RETRY, 0)).toBe(30_000);
    expect(backoffDelay(1, DEFAULT_RETRY, 1)).toBe(250);
  });

  it('retries on the backoff schedule, then stays failed until an operator retries', () => {
    const clock = new SimulatedClock();
    const actor = createActor(
      withRandom(() => 0),
      { clock, input: INPUT },
    ).start();
    const attemptsAt: number[] = [];
    actor.subscribe((s) => {
      if (s.value === 'connecting') {
        attemptsAt.push(clock.now());
        actor.send({ type: 'CONNECT_FAILED', error: 'ECONNREFUSED' });
      }
    });
    actor.send({ type: 'CONNECT_FAILED', error: 'ECONNREFUSED' });
    for (let t = 0; t < 5_000; t += 50) clock.increment(50);
    expect(attemptsAt).toEqual([100, 300, 700]);
    expect(actor.getSnapshot().value).toEqual({ failed: 'exhausted' });
    expect(actor.getSnapshot().context).toMatchObject({ attempt: 4, lastError: 'ECONNREFUSED' });
  });

  it('stops draining after the drain timeout even if calls never finish', () => {
    const clock = new SimulatedClock();
    const actor = createActor(brokerMachine, { clock, input: { ...INPUT, drainTimeoutMs: 1_000 } }).start();
    actor.send({ type: 'DRAIN' });
    clock.increment(999);
    expect(actor.getSnapshot().value).toBe('draining');
    clock.increment(1);
    expect(actor.getSnapshot().status).toBe('done');
  });
});
