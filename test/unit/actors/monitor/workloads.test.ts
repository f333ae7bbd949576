import { describe, expect, it } from 'vitest';
import { BehaviourModel, learnBaselines } from '../../../../src/actors/monitor/index.js';
import { DEFAULT_RISK_THRESHOLDS } from '../../../../statecharts/session/context.js';
import { riskReaches } from '../../../../statecharts/session/rules.js';
import { benignSessions } from '../../../fixtures/workloads/benign.js';
import { RED_TEAM } from '../../../fixtures/workloads/red-team.js';
import { auditCalls, replay } from '../../../fixtures/workloads/replay.js';

const LEARN_SESSIONS = 300;
const BENIGN_SESSIONS = 240;
/** At most this share of benign sessions may leave `active`. */
const FP_BOUND = 0.02;

const history = benignSessions(LEARN_SESSIONS, 1).flatMap((w, i) => auditCalls(w, `learn-${i}`));
const baselines = learnBaselines(history, { now: Date.UTC(2025, 0, 1) });
const learned = new BehaviourModel({ baselines });
const cold = new BehaviourModel();

describe.each([
  ['learned baselines', learned],
  ['cold start', cold],
])('red-team workloads (%s)', (_, model) => {
  it.each(RED_TEAM.map((make) => [make().name, make] as const))(
    '%s reaches its level on the attack call',
    (_n, make) => {
      const scenario = make();
      const run = replay(model, scenario);
      const trigger = run.firstReaching(scenario.expected);
      expect(
        trigger,
        `${scenario.name} never reached ${scenario.expected} (max ${run.maxScore})`,
      ).toBeDefined();
      expect(scenario.triggers).toContain(trigger?.callId);
      expect(trigger?.assessment.reasons.length).toBeGreaterThan(0);
    },
  );
});

describe('benign workloads', () => {
  it('learns a baseline for each purpose', () => {
    expect(Object.keys(baselines.purposes).sort()).toEqual(['analytics', 'code-review', 'docs-writing']);
    expect(baselines.purposes['code-review']?.ratePerMin.p95).toBeLessThan(12);
  });

  it.each([
    ['learned baselines', learned],
    ['cold start', cold],
  ])(`keeps at most ${FP_BOUND * 100}% of ${BENIGN_SESSIONS} benign sessions active (%s)`, (label, model) => {
    const sessions = benignSessions(BENIGN_SESSIONS, 100_000);
    const flagged = sessions.filter((w) => {
      const run = replay(model, w);
      return run.assessments.some(
        (a) =>
          a.assessment.signals.length > 0 ||
          riskReaches(a.assessment.score, 'scrutinised', DEFAULT_RISK_THRESHOLDS),
      );
    });
    const rate = flagged.length / sessions.length;
    console.info(
      `monitor false-positive rate (${label}): ${flagged.length}/${sessions.length} = ${(rate * 100).toFixed(2)}%` +
        (flagged.length ? ` [${flagged.map((w) => w.name).join(', ')}]` : ''),
    );
    expect(rate).toBeLessThanOrEqual(FP_BOUND);
  });
});
