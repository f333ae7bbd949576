import { describe, expect, it } from 'vitest';
import {
  BehaviourModel,
  MonitorSnapshotError,
  parseMonitorSnapshot,
} from '../../../../src/actors/monitor/index.js';
import { injectionExfiltration } from '../../../fixtures/workloads/red-team.js';

const START = Date.UTC(2025, 0, 6, 9);

describe('session monitor snapshot', () => {
  it('a monitor restored from JSON mid-session still sees the taint it learned before', () => {
    const model = new BehaviourModel();
    const scenario = injectionExfiltration();
    let now = START;
    const input = { sessionId: 's1', purpose: scenario.purpose, context: scenario.context, clock: () => now };
    const first = model.startSession(input);
    const steps = [...scenario.steps];
    const post = steps.pop()!;
    for (const step of steps) {
      now = START + step.at;
      first.assess(step.call);
      first.observe({ callId: step.call.callId, ...step.outcome });
    }
    const saved = parseMonitorSnapshot(JSON.parse(JSON.stringify(first.save())), 'test');
    const restored = model.restoreSession(input, saved);
    expect(restored.inspect()).toEqual(first.inspect());
    now = START + post.at;
    const assessment = restored.assess(post.call);
    expect(assessment.score).toBeGreaterThanOrEqual(0.9);
    expect(assessment.reasons.join('; ')).toMatch(/taint/);
    expect(restored.save().startedAt).toBe(START);
  });

  it('refuses a corrupt snapshot or one of another purpose, naming what is wrong', () => {
    const model = new BehaviourModel();
    const input = { sessionId: 's1', purpose: 'code-review', context: '', clock: () => START };
    const saved = model.startSession(input).save();
    expect(() => parseMonitorSnapshot({ ...saved, drift: 7 }, 'kv')).toThrow(/monitor\.drift/);
    expect(() => model.restoreSession({ ...input, purpose: 'analytics' }, saved)).toThrow(
      MonitorSnapshotError,
    );
  });
});
