import type { Catalogue, Target } from './targets.js';
import { Bound, referenceOf, Verdict, verdictOf } from './targets.js';

/** One line of the report, already formatted for display. */
export interface ReportRow {
  figure: string;
  value: string;
  unit: string;
  target: string;
  baseline: string;
  verdict: Verdict;
}

const UNITS: ReadonlyArray<readonly [suffix: string, unit: string]> = [
  ['_us', 'µs'],
  ['_ms', 'ms'],
  ['_rps', 'req/s'],
  ['_ops', 'op/s'],
];

/** The unit a figure's name ends with (`_us` → µs); figures are named so their unit is never ambiguous. */
export function unitOf(figure: string): string {
  return UNITS.find(([suffix]) => figure.endsWith(suffix))?.[1] ?? '';
}

/** Three significant digits or whole numbers, whichever is longer: enough to compare, no false precision. */
export function formatValue(value: number): string {
  if (Math.abs(value) >= 100) return Math.round(value).toString();
  return Number(value.toPrecision(3)).toString();
}

export function formatTarget(target: Target | undefined): string {
  if (!target) return '';
  const sign = target.bound === Bound.AtMost ? '≤' : '≥';
  return target.of === undefined ? `${sign} ${target.value}` : `${sign} ${target.value} × ${target.of}`;
}

/** Rows for every measured figure, in measurement order, each beside its baseline and verdict. */
export function buildRows(figures: Readonly<Record<string, number>>, catalogue: Catalogue): ReportRow[] {
  return Object.entries(figures).map(([figure, value]) => {
    const spec = catalogue[figure];
    const reference = referenceOf(spec);
    const referenceValue = reference === undefined ? undefined : figures[reference];
    return {
      figure,
      value: formatValue(value),
      unit: unitOf(figure),
      target: formatTarget(spec?.target),
      baseline:
        reference === undefined
          ? ''
          : referenceValue === undefined
            ? `${reference} not measured`
            : `${formatValue(referenceValue)} ${unitOf(reference)} (×${formatValue(value / referenceValue)})`,
      verdict: verdictOf(figure, catalogue, figures),
    };
  });
}

const HEADER: ReportRow = {
  figure: 'figure',
  value: 'value',
  unit: 'unit',
  target: 'target',
  baseline: 'baseline (ratio)',
  verdict: 'verdict' as Verdict,
};
const COLUMNS = ['figure', 'value', 'unit', 'target', 'baseline', 'verdict'] as const;

/** A plain-text table: columns padded to their widest cell, values right-aligned. */
export function renderTable(rows: readonly ReportRow[]): string {
  const all = [HEADER, ...rows];
  const widths = COLUMNS.map((column) => Math.max(...all.map((row) => row[column].length)));
  const line = (row: ReportRow): string =>
    COLUMNS.map((column, i) => {
      const width = widths[i] ?? 0;
      return column === 'value' && row !== HEADER ? row[column].padStart(width) : row[column].padEnd(width);
    })
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(HEADER), rule, ...rows.map(line)].join('\n');
}

/** The figures as one JSON object on one line, rounded like the table so both tell the same story. */
export function renderJson(figures: Readonly<Record<string, number>>): string {
  return JSON.stringify(
    Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, Number(formatValue(v))])),
  );
}

/** One line counting verdicts, so a reader sees at a glance how many targets were met. */
export function verdictSummary(rows: readonly ReportRow[]): string {
  const count = (verdict: Verdict): number => rows.filter((row) => row.verdict === verdict).length;
  const targeted = rows.filter((row) => row.verdict !== Verdict.None).length;
  if (targeted === 0) return 'targets: none among the figures measured.';
  return `targets: ${count(Verdict.Pass)} PASS, ${count(Verdict.Miss)} MISS, ${count(Verdict.Unmeasured)} N/A (baseline not measured).`;
}
