import { describe, expect, it } from 'vitest';
import { measureLatency, measureThroughput } from '../../../../bench/runner/measure.js';
import { measureRoundTrip, prefixFigures } from '../../../../bench/runner/round-trip.js';

/** An operation that counts calls and the most calls it ever had in flight at once. */
function countingOp(): { op: () => Promise<void>; calls: () => number; maxInFlight: () => number } {
  let calls = 0;
  let inFlight = 0;
  let max = 0;
  return {
    op: async () => {
      calls++;
      max = Math.max(max, ++inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
    },
    calls: () => calls,
    maxInFlight: () => max,
  };
}

describe('measureLatency', () => {
  it('times exactly `iterations` sequential operations', async () => {
    const counter = countingOp();
    const summary = await measureLatency(counter.op, { iterations: 37 });
    expect(counter.calls()).toBe(37);
    expect(counter.maxInFlight()).toBe(1);
    expect(summary.samples).toBe(37);
    expect(summary.p50_us).toBeGreaterThan(0);
    expect(summary.p99_us).toBeGreaterThanOrEqual(summary.p50_us);
  });
});

describe('measureThroughput', () => {
  it('completes the bounded count with exactly `inFlight` operations outstanding', async () => {
    const counter = countingOp();
    const rps = await measureThroughput(counter.op, { inFlight: 8, operations: 200 });
    expect(counter.calls()).toBe(200);
    expect(counter.maxInFlight()).toBe(8);
    expect(rps).toBeGreaterThan(0);
  });

  it('stops issuing operations once the duration bound has passed', async () => {
    const counter = countingOp();
    await measureThroughput(counter.op, { inFlight: 4, operations: 1_000_000, maxDurationMs: 0 });
    expect(counter.calls()).toBe(0);
  });

  it('propagates a failing operation instead of reporting a rate', async () => {
    await expect(
      measureThroughput(() => Promise.reject(new Error('responder gone')), { inFlight: 2, operations: 10 }),
    ).rejects.toThrow('responder gone');
  });
});

describe('measureRoundTrip', () => {
  it('warms up, then times `iterations` calls, then runs the throughput count', async () => {
    const counter = countingOp();
    const figures = await measureRoundTrip(counter.op, {
      iterations: 20,
      inFlight: 4,
      warmUp: 5,
      operations: 40,
    });
    expect(counter.calls()).toBe(5 + 20 + 40);
    expect(counter.maxInFlight()).toBe(4);
    expect(Object.keys(figures)).toEqual(['p50_us', 'p99_us', 'rps']);
  });

  it('rejects sizes that would measure nothing', async () => {
    await expect(measureRoundTrip(countingOp().op, { iterations: 0, inFlight: 1 })).rejects.toThrow(
      RangeError,
    );
  });

  it('names figures under a prefix', () => {
    expect(prefixFigures('nats_rr', { p50_us: 1, p99_us: 2, rps: 3 })).toEqual({
      nats_rr_p50_us: 1,
      nats_rr_p99_us: 2,
      nats_rr_rps: 3,
    });
  });
});
