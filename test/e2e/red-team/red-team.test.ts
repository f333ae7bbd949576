import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { learnBaselines } from '../../../src/actors/monitor/index.js';
import { SessionRpcCode } from '../../../src/actors/session/index.js';
import { containmentRank, type SessionStatus } from '../../../statecharts/index.js';
import { benignSessions } from '../../fixtures/workloads/benign.js';
import { RED_TEAM } from '../../fixtures/workloads/red-team.js';
import { auditCalls } from '../../fixtures/workloads/replay.js';
import { type CallOutcome, type RedTeamMesh, startRedTeamMesh } from './mesh.js';

/** Baselines as `trustmesh baseline learn` makes them from the audit of 300 benign sessions. */
const baselines = learnBaselines(
  benignSessions(300, 1).flatMap((w, i) => auditCalls(w, `learn-${i}`)),
  { now: Date.UTC(2025, 0, 1) },
);

/** The state a call was decided in: its refusal says; an allowed call ran in the state it left behind. */
function decidedIn(call: CallOutcome): SessionStatus {
  const refused = (call.error?.data as { state?: SessionStatus } | undefined)?.state;
  return refused ?? (call.stateAfter as SessionStatus);
}

describe('red team on a real mesh: each attack is contained and its triggering call denied', () => {
  let mesh: RedTeamMesh;

  beforeAll(async () => {
    mesh = await startRedTeamMesh(baselines);
    expect(mesh.node.baselineVersion).toBe(baselines.version);
  }, 60_000);
  afterAll(() => mesh?.stop());

  it.each(RED_TEAM.map((make) => [make().name, make] as const))('%s', async (_, make) => {
    const scenario = make();
    const run = await mesh.run(scenario);
    const expected = containmentRank(scenario.expected);
    // The first call decided in the expected state (or a more contained one): a refusal names its state.
    const crossing = run.calls.find((c) => containmentRank(decidedIn(c)) >= expected);
    expect(crossing, `${scenario.name} never reached ${scenario.expected}`).toBeDefined();
    expect(scenario.triggers).toContain(crossing?.step.call.callId);
    expect(crossing?.error?.code).toBe(SessionRpcCode.Denied);
    expect(containmentRank(run.inspection.state as SessionStatus)).toBeGreaterThanOrEqual(expected);
    expect(run.inspection.risk.reasons.length).toBeGreaterThan(0);
    expect(run.inspection.risk.baselineVersion).toBe(baselines.version);
  });

  it('the exfiltration post never reaches the web server, and the session ends suspended', async () => {
    const run = await mesh.run(RED_TEAM[0]!());
    const post = run.calls.at(-1)!;
    expect(post.step.call.tool).toBe('web.post');
    expect(post.error?.data).toMatchObject({ state: 'suspended' });
    expect(run.inspection.counters.tools['web.post']).toBeUndefined();
    expect(run.inspection.risk.reasons.join('\n')).toMatch(/taint: web\.post carries/);
  });
});
