import { describe, expect, it } from 'vitest';
import {
  BenchUsageError,
  FULL_SIZES,
  IN_FLIGHT,
  parseBenchOptions,
  QUICK_SIZES,
  sizesFor,
  usage,
} from '../../../../bench/runner/options.js';

const groups = ['nats', 'mcp-nats', 'http', 'policy'];

describe('parseBenchOptions', () => {
  it('runs every group, as a table, at full size by default', () => {
    expect(parseBenchOptions([], groups)).toEqual({ json: false, quick: false, only: groups, help: false });
  });

  it('reads --json, --quick and --help', () => {
    expect(parseBenchOptions(['--json', '--quick', '-h'], groups)).toMatchObject({
      json: true,
      quick: true,
      help: true,
    });
  });

  it('keeps the runner order whatever order --only names groups in', () => {
    expect(parseBenchOptions(['--only', 'http, nats'], groups).only).toEqual(['nats', 'http']);
  });

  it('rejects unknown groups, naming the valid ones', () => {
    const error = (() => {
      try {
        parseBenchOptions(['--only', 'nats,htp'], groups);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(BenchUsageError);
    expect((error as BenchUsageError).code).toBe('ERR_BENCH_USAGE');
    expect((error as BenchUsageError).message).toContain('htp');
    expect((error as BenchUsageError).message).toContain('nats, mcp-nats, http, policy');
  });

  it('rejects an empty --only and unknown flags', () => {
    expect(() => parseBenchOptions(['--only', ','], groups)).toThrow(BenchUsageError);
    expect(() => parseBenchOptions(['--fast'], groups)).toThrow(/--help/);
  });
});

describe('sizes', () => {
  it('keeps 64 in flight in both modes and measures less with --quick', () => {
    expect(IN_FLIGHT).toBe(64);
    expect(sizesFor({ quick: false })).toBe(FULL_SIZES);
    expect(sizesFor({ quick: true })).toBe(QUICK_SIZES);
    expect(QUICK_SIZES.inFlight).toBe(IN_FLIGHT);
    expect(QUICK_SIZES.iterations).toBeLessThan(FULL_SIZES.iterations);
  });
});

describe('usage', () => {
  it('lists every option and group with its description', () => {
    const text = usage([{ name: 'nats', description: 'raw request/reply' }]);
    for (const word of ['--json', '--quick', '--only', '--help', 'nats', 'raw request/reply']) {
      expect(text).toContain(word);
    }
  });
});
