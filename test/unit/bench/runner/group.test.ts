import { describe, expect, it } from 'vitest';
import type { BenchContext, BenchGroup } from '../../../../bench/runner/group.js';
import { runGroups } from '../../../../bench/runner/group.js';
import { QUICK_SIZES } from '../../../../bench/runner/options.js';

function context(lines: string[]): BenchContext {
  return {
    sizes: QUICK_SIZES,
    natsUrl: () => Promise.reject(new Error('no nats in this test')),
    log: (line) => lines.push(line),
  };
}

const group = (name: string, run: BenchGroup['run']): BenchGroup => ({ name, description: name, run });

describe('runGroups', () => {
  it('runs groups in the given order and merges their figures in that order', async () => {
    const order: string[] = [];
    const result = await runGroups(
      [
        group('b', async () => {
          order.push('b');
          return { b_us: 2 };
        }),
        group('a', async () => {
          order.push('a');
          return { a_us: 1, a_rps: 10 };
        }),
      ],
      context([]),
    );
    expect(order).toEqual(['b', 'a']);
    expect(Object.keys(result.figures)).toEqual(['b_us', 'a_us', 'a_rps']);
    expect(result.failures).toEqual([]);
  });

  it('reports a failing group, logs why, and still runs the next one', async () => {
    const lines: string[] = [];
    const result = await runGroups(
      [
        group('broken', async ({ natsUrl }) => ({ x_us: (await natsUrl()).length })),
        group('ok', async () => ({ ok_us: 1 })),
      ],
      context(lines),
    );
    expect(result.figures).toEqual({ ok_us: 1 });
    expect(result.failures.map((failure) => failure.group)).toEqual(['broken']);
    expect(lines.some((line) => line.includes('broken failed: no nats in this test'))).toBe(true);
  });

  it('rejects a group that returns a non-positive or non-finite figure, keeping none of its figures', async () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const result = await runGroups([group('g', async () => ({ good_us: 1, bad_us: bad }))], context([]));
      expect(result.figures).toEqual({});
      expect(String(result.failures[0]?.error)).toContain('bad_us');
    }
  });
});
