import type { Operation } from './measure.js';
import { measureLatency, measureThroughput, warmUp } from './measure.js';

/** The three figures every request/reply subject reports, so subjects and baselines line up. */
export interface RoundTripFigures {
  p50_us: number;
  p99_us: number;
  rps: number;
}

export interface RoundTripOptions {
  /** Sequential calls timed for the percentiles. */
  iterations: number;
  /** Calls kept in flight for the throughput figure. */
  inFlight: number;
  /** Calls made before anything is timed. @default max(50, iterations / 10) */
  warmUp?: number;
  /** Calls completed for the throughput figure (also bounded by time). @default 4 × iterations */
  operations?: number;
}

/**
 * Measures one round-trip operation the same way for every subject: warm-up, sequential latency,
 * then throughput at `inFlight`. Baselines and subjects all go through here so they stay comparable.
 */
export async function measureRoundTrip(op: Operation, options: RoundTripOptions): Promise<RoundTripFigures> {
  if (!(options.iterations >= 1 && options.inFlight >= 1)) {
    throw new RangeError(
      `round trip needs iterations ≥ 1 and inFlight ≥ 1, got ${options.iterations} and ${options.inFlight}.`,
    );
  }
  await warmUp(op, options.warmUp ?? Math.max(50, Math.ceil(options.iterations / 10)));
  const latency = await measureLatency(op, { iterations: options.iterations });
  const rps = await measureThroughput(op, {
    inFlight: options.inFlight,
    operations: options.operations ?? options.iterations * 4,
  });
  return { p50_us: latency.p50_us, p99_us: latency.p99_us, rps };
}

/** Names round-trip figures under a prefix: `nats_rr` → `nats_rr_p50_us`, `nats_rr_p99_us`, `nats_rr_rps`. */
export function prefixFigures(prefix: string, figures: RoundTripFigures): Record<string, number> {
  return {
    [`${prefix}_p50_us`]: figures.p50_us,
    [`${prefix}_p99_us`]: figures.p99_us,
    [`${prefix}_rps`]: figures.rps,
  };
}
