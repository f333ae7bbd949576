import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { learnBaselines } from '../../../src/actors/monitor/index.js';
import { benignSessions } from '../../fixtures/workloads/benign.js';
import { auditCalls } from '../../fixtures/workloads/replay.js';
import { type RedTeamMesh, startRedTeamMesh } from './mesh.js';

const BENIGN_SESSIONS = 210;
/** At most this share of benign sessions may leave `active`. */
const FP_BOUND = 0.02;

const baselines = learnBaselines(
  benignSessions(300, 1).flatMap((w, i) => auditCalls(w, `learn-${i}`)),
  { now: Date.UTC(2025, 0, 1) },
);

describe('benign workloads on a real mesh', () => {
  let mesh: RedTeamMesh;

  beforeAll(async () => {
    mesh = await startRedTeamMesh(baselines);
  }, 60_000);
  afterAll(() => mesh?.stop());

  it(`keeps at least ${100 - FP_BOUND * 100}% of ${BENIGN_SESSIONS} scripted benign sessions active, every call allowed`, async () => {
    const flagged: string[] = [];
    let denied = 0;
    for (const workload of benignSessions(BENIGN_SESSIONS, 100_000)) {
      const run = await mesh.run(workload);
      denied += run.calls.filter((c) => c.error !== undefined).length;
      if (run.inspection.transitions.some((t) => t.to !== 'active')) {
        flagged.push(`${workload.name} (${run.inspection.risk.reasons.join('; ')})`);
      }
    }
    const rate = flagged.length / BENIGN_SESSIONS;
    console.info(
      `false-positive rate through the session actor: ${flagged.length}/${BENIGN_SESSIONS} = ${(rate * 100).toFixed(2)}%` +
        (flagged.length ? ` [${flagged.join(', ')}]` : ''),
    );
    expect(rate).toBeLessThanOrEqual(FP_BOUND);
    expect(denied).toBe(0);
  }, 240_000);
});
