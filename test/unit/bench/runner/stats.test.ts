import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { percentile, rate, summariseLatency } from '../../../../bench/runner/stats.js';

describe('percentile (nearest rank)', () => {
  const hundred = Float64Array.from({ length: 100 }, (_, i) => i + 1);

  it('picks the measured sample at the rank', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0.5)).toBe(1);
  });

  it('returns the only sample of a one-sample run for every percentile', () => {
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([7], 99)).toBe(7);
  });

  it('rejects an empty sample and percentiles outside (0, 100]', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile(hundred, 0)).toThrow(RangeError);
    expect(() => percentile(hundred, 101)).toThrow(RangeError);
    expect(() => percentile(hundred, Number.NaN)).toThrow(RangeError);
  });

  it('returns a sample with at least p% of samples at or below it and fewer than p% below it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 500 }),
        fc.integer({ min: 1, max: 100 }),
        (values, p) => {
          const sorted = Float64Array.from(values).sort();
          const result = percentile(sorted, p);
          const rank = Math.ceil((p / 100) * values.length);
          expect(values).toContain(result);
          expect(values.filter((v) => v <= result).length).toBeGreaterThanOrEqual(rank);
          expect(values.filter((v) => v < result).length).toBeLessThan(rank);
        },
      ),
    );
  });
});

describe('summariseLatency', () => {
  it('sorts nanosecond durations and reports microseconds without touching the input', () => {
    const durations = Float64Array.from({ length: 100 }, (_, i) => (100 - i) * 1000);
    const summary = summariseLatency(durations);
    expect(summary).toEqual({ p50_us: 50, p99_us: 99, samples: 100 });
    expect(durations[0]).toBe(100_000);
  });
});

describe('rate', () => {
  it('divides operations by elapsed seconds', () => {
    expect(rate(1000, 500_000_000)).toBe(2000);
  });

  it('refuses a zero elapsed time instead of reporting infinite speed', () => {
    expect(() => rate(10, 0)).toThrow(RangeError);
  });
});
