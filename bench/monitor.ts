import { BehaviourModel, learnBaselines } from '../src/actors/monitor/index.js';
import { benignSessions } from '../test/fixtures/workloads/benign.js';
import { auditCalls } from '../test/fixtures/workloads/replay.js';
import { summariseLatency } from './runner/index.js';

const ITERATIONS = 50_000;
const WARM_UP = 5_000;

/**
 * `monitor_update_us`: p50 of one call's `assess` plus its `observe`, over the calls of realistic
 * code-review, docs and analytics sessions (arguments and results as they are), with learned baselines.
 */
export async function benchMonitor(): Promise<Record<string, number>> {
  const workloads = benignSessions(30, 1);
  const baselines = learnBaselines(
    workloads.flatMap((w, i) => auditCalls(w, `s${i}`)),
    { now: Date.UTC(2025, 0, 1), minSessions: 5 },
  );
  const model = new BehaviourModel({ baselines });
  const steps = workloads.flatMap((w) => w.steps.map((step) => ({ workload: w, step })));
  let now = Date.UTC(2025, 0, 6, 9);
  const monitors = new Map(
    workloads.map((w) => [
      w,
      model.startSession({ sessionId: w.name, purpose: w.purpose, context: w.context, clock: () => now }),
    ]),
  );
  const durations = new Float64Array(ITERATIONS);
  for (let i = 0; i < ITERATIONS + WARM_UP; i++) {
    const entry = steps[i % steps.length];
    if (!entry) throw new Error('no workload steps');
    const monitor = monitors.get(entry.workload);
    if (!monitor) throw new Error('no monitor');
    now += 2_000;
    const started = process.hrtime.bigint();
    monitor.assess(entry.step.call);
    monitor.observe({ callId: entry.step.call.callId, ...entry.step.outcome });
    const elapsed = Number(process.hrtime.bigint() - started);
    if (i >= WARM_UP) durations[i - WARM_UP] = elapsed;
  }
  const summary = summariseLatency(durations);
  return { monitor_update_us: summary.p50_us };
}
