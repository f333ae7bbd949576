import { describe, expect, it } from 'vitest';
import { FIGURES } from '../../../../bench/runner/catalogue.js';
import type { Catalogue } from '../../../../bench/runner/targets.js';
import {
  atLeast,
  atMost,
  catalogueProblems,
  limitOf,
  referenceOf,
  Verdict,
  verdictOf,
} from '../../../../bench/runner/targets.js';

const catalogue: Catalogue = {
  base_p50_us: {},
  base_rps: {},
  subject_p50_us: { target: atMost(1.3, 'base_p50_us') },
  subject_rps: { target: atLeast(3, 'base_rps') },
  decide_p50_us: { target: atMost(10) },
  subject_p99_us: { compareWith: 'base_p50_us' },
};

describe('verdictOf', () => {
  it('passes an absolute ceiling at or under the limit and misses above it', () => {
    expect(verdictOf('decide_p50_us', catalogue, { decide_p50_us: 10 })).toBe(Verdict.Pass);
    expect(verdictOf('decide_p50_us', catalogue, { decide_p50_us: 10.01 })).toBe(Verdict.Miss);
  });

  it('scales a relative ceiling by the baseline measured in the same run', () => {
    expect(verdictOf('subject_p50_us', catalogue, { base_p50_us: 100, subject_p50_us: 130 })).toBe(
      Verdict.Pass,
    );
    expect(verdictOf('subject_p50_us', catalogue, { base_p50_us: 100, subject_p50_us: 131 })).toBe(
      Verdict.Miss,
    );
  });

  it('scales a relative floor by the baseline', () => {
    expect(verdictOf('subject_rps', catalogue, { base_rps: 1000, subject_rps: 3000 })).toBe(Verdict.Pass);
    expect(verdictOf('subject_rps', catalogue, { base_rps: 1000, subject_rps: 2999 })).toBe(Verdict.Miss);
  });

  it('says N/A when the baseline or the figure was not measured', () => {
    expect(verdictOf('subject_p50_us', catalogue, { subject_p50_us: 1 })).toBe(Verdict.Unmeasured);
    expect(verdictOf('decide_p50_us', catalogue, {})).toBe(Verdict.Unmeasured);
  });

  it('gives no verdict to figures without a target, catalogued or not', () => {
    expect(verdictOf('subject_p99_us', catalogue, { subject_p99_us: 5, base_p50_us: 1 })).toBe(Verdict.None);
    expect(verdictOf('unknown_us', catalogue, { unknown_us: 5 })).toBe(Verdict.None);
  });
});

describe('limitOf and referenceOf', () => {
  it('computes the limit from the reference and prefers a target reference over compareWith', () => {
    expect(limitOf(atMost(1.5, 'base_p50_us'), { base_p50_us: 20 })).toBe(30);
    expect(limitOf(atMost(10), {})).toBe(10);
    expect(limitOf(atLeast(3, 'base_rps'), {})).toBeUndefined();
    expect(referenceOf({ target: atMost(2, 'a'), compareWith: 'b' })).toBe('a');
    expect(referenceOf({ compareWith: 'b' })).toBe('b');
    expect(referenceOf(undefined)).toBeUndefined();
  });
});

describe('catalogueProblems', () => {
  it('finds references to uncatalogued figures, self-comparisons and bad target values', () => {
    const problems = catalogueProblems({
      a_us: { target: atMost(1.3, 'typo_us') },
      b_us: { compareWith: 'b_us' },
      c_us: { target: atMost(0) },
      d_us: { target: atLeast(Number.POSITIVE_INFINITY) },
    });
    expect(problems).toHaveLength(4);
    expect(problems[0]).toContain('typo_us');
    expect(problems[1]).toContain('itself');
    expect(problems[2]).toContain('c_us');
    expect(problems[3]).toContain('d_us');
  });

  it('accepts the shipped catalogue, with the targets the issues set', () => {
    expect(catalogueProblems(FIGURES)).toEqual([]);
    expect(FIGURES.mcp_nats_p50_us?.target).toEqual(atMost(1.3, 'nats_rr_p50_us'));
    expect(FIGURES.mcp_nats_rps?.target).toEqual(atLeast(3, 'mcp_http_rps'));
    expect(FIGURES.policy_decide_p50_us?.target).toEqual(atMost(10));
  });
});
