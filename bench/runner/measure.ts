import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { LatencySummary } from './stats.js';
import { rate, summariseLatency } from './stats.js';

/** One operation under measurement: resolves when the round trip is complete. */
export type Operation = () => Promise<unknown>;

export interface LatencyOptions {
  /** Sequential operations to time. */
  iterations: number;
  /** Stop early once this much time has passed, so a slow subject cannot stall the run. @default 20_000 */
  maxDurationMs?: number;
}

export interface ThroughputOptions {
  /** Operations kept in flight at once. */
  inFlight: number;
  /** Operations to complete in total. */
  operations: number;
  /** Stop issuing new operations after this long. @default 5_000 */
  maxDurationMs?: number;
}

export const DEFAULT_LATENCY_DURATION_MS = 20_000;
export const DEFAULT_THROUGHPUT_DURATION_MS = 5_000;

const NS_PER_MS = 1_000_000n;

// Each phase starts from a freshly collected heap, so a subject does not pay for the garbage of the
// one measured before it. The flag is set at run time because `npm run bench` runs plain `tsx`.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Runs `op` `count` times sequentially so JIT, connections and caches are hot, then collects garbage. */
export async function warmUp(op: Operation, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await op();
  gc();
}

/** Times operations one after another (one in flight) with a monotonic nanosecond clock. */
export async function measureLatency(op: Operation, options: LatencyOptions): Promise<LatencySummary> {
  const deadline =
    process.hrtime.bigint() + BigInt(options.maxDurationMs ?? DEFAULT_LATENCY_DURATION_MS) * NS_PER_MS;
  const durations = new Float64Array(options.iterations);
  let done = 0;
  while (done < options.iterations) {
    const start = process.hrtime.bigint();
    await op();
    const end = process.hrtime.bigint();
    durations[done++] = Number(end - start);
    if (end > deadline) break;
  }
  gc();
  return summariseLatency(durations.subarray(0, done));
}

/** Completed operations per second with `inFlight` workers, bounded by a count and a duration. */
export async function measureThroughput(op: Operation, options: ThroughputOptions): Promise<number> {
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(options.maxDurationMs ?? DEFAULT_THROUGHPUT_DURATION_MS) * NS_PER_MS;
  let issued = 0;
  let completed = 0;
  const worker = async (): Promise<void> => {
    while (issued < options.operations && process.hrtime.bigint() < deadline) {
      issued++;
      await op();
      completed++;
    }
  };
  await Promise.all(Array.from({ length: options.inFlight }, worker));
  const elapsed = Number(process.hrtime.bigint() - start);
  gc();
  return rate(completed, elapsed);
}
