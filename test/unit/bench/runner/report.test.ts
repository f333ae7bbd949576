import { describe, expect, it } from 'vitest';
import {
  buildRows,
  formatTarget,
  formatValue,
  renderJson,
  renderTable,
  unitOf,
  verdictSummary,
} from '../../../../bench/runner/report.js';
import type { Catalogue } from '../../../../bench/runner/targets.js';
import { atLeast, atMost, Verdict } from '../../../../bench/runner/targets.js';

const catalogue: Catalogue = {
  nats_rr_p50_us: {},
  mcp_http_rps: {},
  mcp_nats_p50_us: { target: atMost(1.3, 'nats_rr_p50_us') },
  mcp_nats_rps: { target: atLeast(3, 'mcp_http_rps') },
  policy_decide_p50_us: { target: atMost(10) },
};

describe('unitOf and formatValue', () => {
  it('reads the unit from the figure name suffix', () => {
    expect(unitOf('nats_rr_p50_us')).toBe('µs');
    expect(unitOf('mcp_http_rps')).toBe('req/s');
    expect(unitOf('startup_ms')).toBe('ms');
    expect(unitOf('bundle_count')).toBe('');
  });

  it('keeps three significant digits below 100 and whole numbers above', () => {
    expect(formatValue(12345.678)).toBe('12346');
    expect(formatValue(123.4)).toBe('123');
    expect(formatValue(12.345)).toBe('12.3');
    expect(formatValue(1.23456)).toBe('1.23');
    expect(formatValue(0.0012345)).toBe('0.00123');
  });

  it('writes absolute and relative targets', () => {
    expect(formatTarget(atMost(10))).toBe('≤ 10');
    expect(formatTarget(atLeast(3, 'mcp_http_rps'))).toBe('≥ 3 × mcp_http_rps');
    expect(formatTarget(undefined)).toBe('');
  });
});

describe('buildRows', () => {
  it('lists measured figures in order with baseline, ratio and verdict', () => {
    const rows = buildRows(
      { nats_rr_p50_us: 100, mcp_nats_p50_us: 120, mcp_nats_rps: 5000, extra_us: 2 },
      catalogue,
    );
    expect(rows.map((row) => row.figure)).toEqual([
      'nats_rr_p50_us',
      'mcp_nats_p50_us',
      'mcp_nats_rps',
      'extra_us',
    ]);
    expect(rows[1]).toEqual({
      figure: 'mcp_nats_p50_us',
      value: '120',
      unit: 'µs',
      target: '≤ 1.3 × nats_rr_p50_us',
      baseline: '100 µs (×1.2)',
      verdict: Verdict.Pass,
    });
    expect(rows[2]?.baseline).toBe('mcp_http_rps not measured');
    expect(rows[2]?.verdict).toBe(Verdict.Unmeasured);
    expect(rows[3]).toMatchObject({ unit: 'µs', target: '', baseline: '', verdict: Verdict.None });
  });
});

describe('renderTable', () => {
  it('has the six columns, aligned, with values right-aligned', () => {
    const table = renderTable(buildRows({ nats_rr_p50_us: 85.25, policy_decide_p50_us: 12345 }, catalogue));
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^figure\s+value\s+unit\s+target\s+baseline \(ratio\)\s+verdict$/);
    expect(lines[1]).toMatch(/^-+( {2}-+){5}$/);
    const valueEnd = (line: string, value: string): number => line.indexOf(value) + value.length;
    expect(valueEnd(lines[2] ?? '', '85.3')).toBe(valueEnd(lines[3] ?? '', '12345'));
    expect(lines[3]).toMatch(/≤ 10\s+MISS$/);
  });
});

describe('renderJson', () => {
  it('prints one line that parses to the figures, rounded like the table', () => {
    const json = renderJson({ nats_rr_p50_us: 85.2549, nats_rr_rps: 40123.7 });
    expect(json).not.toContain('\n');
    expect(JSON.parse(json)).toEqual({ nats_rr_p50_us: 85.3, nats_rr_rps: 40124 });
  });
});

describe('verdictSummary', () => {
  it('counts PASS, MISS and N/A', () => {
    const rows = buildRows(
      { nats_rr_p50_us: 100, mcp_nats_p50_us: 200, policy_decide_p50_us: 5, mcp_nats_rps: 1 },
      catalogue,
    );
    expect(verdictSummary(rows)).toBe('targets: 1 PASS, 1 MISS, 1 N/A (baseline not measured).');
  });

  it('says so when no measured figure has a target', () => {
    expect(verdictSummary(buildRows({ nats_rr_p50_us: 1 }, catalogue))).toBe(
      'targets: none among the figures measured.',
    );
  });
});
