import {
  type CedarCallContext,
  type CedarConditions,
  compileCedarConditions,
} from '../src/policy/cedar/index.js';
import { summariseLatency } from './runner/index.js';

const ITERATIONS = 10_000;
const WARM_UP = 1_000;
const START = Date.UTC(2025, 0, 6, 9, 0);

const OFFICE_HOURS = 'forbid(principal, action, resource) when { context.hour < 8 || context.hour >= 18 };';
const EXAMPLES = `${OFFICE_HOURS}
permit(principal, action, resource) when { context.calledTools.contains("github.get_pull_request") };
forbid(principal, action, resource) when { resource.effect == "egress" && context.state == "scrutinised" };`;

const CALL: CedarCallContext = {
  principal: 'alice@example.com',
  purpose: 'code-review',
  tier: 'standard',
  state: 'active',
  server: 'github',
  tool: 'create_comment',
  effect: 'write',
  resource: 'acme/widgets#42',
  args: { owner: 'acme', repo: 'widgets', pull_number: 42, body: 'LGTM' },
  history: { 'github.get_pull_request': 1 },
  callsTotal: 1,
  now: START,
  timeZone: 'Europe/Paris',
};

/**
 * Cedar-conditioned decisions, timed one by one (they are synchronous):
 * - `cedar_evaluate_p50_us`: one condition (office hours) through a session whose clock advances a
 *   second per call, so repeated requests are answered from the adapter's memo;
 * - `cedar_evaluate_uncached_p50_us`: the same condition, every request new (a new principal each
 *   call), so each call crosses into cedar-wasm;
 * - `cedar_evaluate_examples_uncached_p50_us`: the three documented examples together, every request new.
 */
export async function benchCedar(): Promise<Record<string, number>> {
  const officeHours = conditions(OFFICE_HOURS);
  const examples = conditions(EXAMPLES);
  return {
    cedar_evaluate_p50_us: p50(officeHours, (i) => ({ ...CALL, now: START + i * 1000 })),
    cedar_evaluate_uncached_p50_us: p50(officeHours, (i) => ({ ...CALL, principal: `agent-${i}` })),
    cedar_evaluate_examples_uncached_p50_us: p50(examples, (i) => ({ ...CALL, principal: `agent-${i}` })),
  };
}

function conditions(text: string): CedarConditions {
  return compileCedarConditions([{ text, file: 'bench.yaml', line: 1, field: 'cedar' }]);
}

function p50(subject: CedarConditions, call: (i: number) => CedarCallContext): number {
  for (let i = 0; i < WARM_UP; i++) subject.evaluate(call(i));
  const durations = new Float64Array(ITERATIONS);
  for (let i = 0; i < ITERATIONS; i++) {
    const request = call(WARM_UP + i);
    const start = process.hrtime.bigint();
    subject.evaluate(request);
    durations[i] = Number(process.hrtime.bigint() - start);
  }
  return summariseLatency(durations).p50_us;
}
