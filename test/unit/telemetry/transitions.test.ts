import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { sessionInspector } from '../../../src/telemetry/index.js';
import { INPUT, live, T0, testPolicy } from '../statecharts/session/support.js';
import { installTracing } from './support.js';

const OPERATOR = { operator: 'alice', reason: 'SEC-42', at: T0 };

describe('sessionInspector: statechart transitions from the inspection API', () => {
  let tracing: ReturnType<typeof installTracing>;
  beforeAll(() => {
    tracing = installTracing();
  });
  afterAll(() => tracing.disable());
  beforeEach(() => tracing.exporter.reset());

  const transitions = () =>
    tracing.exporter.getFinishedSpans().filter((span) => span.name === 'session.transition');

  it('makes one span per transition with session, from, to, event and reason', () => {
    const session = live(testPolicy(), { inspect: sessionInspector('s-1') });
    expect(transitions()).toHaveLength(0);
    session.send({ type: 'OPERATOR_SCRUTINISE', ...OPERATOR });
    session.send({ type: 'OPERATOR_SUSPEND', ...OPERATOR });
    expect(transitions().map((span) => span.attributes)).toEqual([
      expect.objectContaining({
        'mcp.session.id': 's-1',
        'trustmesh.session.from': 'active',
        'trustmesh.session.to': 'scrutinised',
        'trustmesh.session.event': 'OPERATOR_SCRUTINISE',
      }),
      expect.objectContaining({
        'trustmesh.session.from': 'scrutinised',
        'trustmesh.session.to': 'suspended',
        'trustmesh.session.event': 'OPERATOR_SUSPEND',
        'trustmesh.session.reason': expect.stringContaining('SEC-42'),
      }),
    ]);
  });

  it('makes no span for an event that leaves the state as it was', () => {
    const session = live(testPolicy(), { inspect: sessionInspector('s-1') });
    session.send({ type: 'RISK', score: 0.1, reasons: ['calm'] });
    expect(session.status()).toBe('active');
    expect(transitions()).toHaveLength(0);
  });

  it("does not replay a restored session's history, only what happens after", () => {
    const policy = testPolicy();
    const first = live(policy);
    first.send({ type: 'OPERATOR_READONLY', ...OPERATOR });
    const persisted = first.actor.getPersistedSnapshot();
    first.actor.stop();

    const restored = createActor(policy.machine, {
      input: INPUT,
      snapshot: persisted,
      inspect: sessionInspector('s-1'),
    });
    restored.start();
    expect(transitions()).toHaveLength(0);
    restored.send({ type: 'OPERATOR_SUSPEND', ...OPERATOR });
    expect(transitions().map((span) => span.attributes['trustmesh.session.from'])).toEqual(['readOnly']);
  });
});
