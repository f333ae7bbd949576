/** Latency summary of one sequential run, in microseconds. */
export interface LatencySummary {
  p50_us: number;
  p99_us: number;
  samples: number;
}

/**
 * Nearest-rank percentile of already sorted values: the smallest sample that at least `p`% of the
 * samples do not exceed. Nearest-rank never invents a value that was not measured.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of an empty sample: measure at least once.');
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}.`);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[rank - 1] as number;
}

/** Summarises per-operation durations given in nanoseconds. */
export function summariseLatency(durationsNs: Float64Array): LatencySummary {
  const sorted = Float64Array.from(durationsNs).sort();
  return {
    p50_us: percentile(sorted, 50) / 1000,
    p99_us: percentile(sorted, 99) / 1000,
    samples: sorted.length,
  };
}

/** Operations per second; zero elapsed time means nothing was measured, not infinite speed. */
export function rate(operations: number, elapsedNs: number): number {
  if (elapsedNs <= 0) throw new RangeError('elapsed time must be positive to compute a rate.');
  return operations / (elapsedNs / 1e9);
}
