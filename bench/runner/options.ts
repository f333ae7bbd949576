import { parseArgs } from 'node:util';
import { TrustmeshError } from '../../src/errors.js';

export class BenchUsageError extends TrustmeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_BENCH_USAGE', message, options);
  }
}

export interface BenchOptions {
  /** Print the figures as one JSON object on the last stdout line. @default false */
  json: boolean;
  /** Few iterations: a smoke test that the benches run, not figures to compare. @default false */
  quick: boolean;
  /** Groups to run, in the runner's order. @default every group */
  only: readonly string[];
  /** Print usage and exit. @default false */
  help: boolean;
}

/** How much each round-trip bench measures. */
export interface BenchSizes {
  iterations: number;
  inFlight: number;
}

/** In flight for every `_rps` figure: the issue fixes it so runs stay comparable. */
export const IN_FLIGHT = 64;
export const FULL_SIZES: BenchSizes = { iterations: 5_000, inFlight: IN_FLIGHT };
export const QUICK_SIZES: BenchSizes = { iterations: 100, inFlight: IN_FLIGHT };

export function sizesFor(options: Pick<BenchOptions, 'quick'>): BenchSizes {
  return options.quick ? QUICK_SIZES : FULL_SIZES;
}

/** Parses `npm run bench -- …` arguments; `groups` are the names `--only` may use. */
export function parseBenchOptions(argv: readonly string[], groups: readonly string[]): BenchOptions {
  let values: { json?: boolean; quick?: boolean; only?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        json: { type: 'boolean' },
        quick: { type: 'boolean' },
        only: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (cause) {
    throw new BenchUsageError(`${(cause as Error).message}. Run 'npm run bench -- --help' for the options.`, {
      cause,
    });
  }
  const requested =
    values.only === undefined
      ? groups
      : values.only
          .split(',')
          .map((name) => name.trim())
          .filter((name) => name !== '');
  const unknown = requested.filter((name) => !groups.includes(name));
  if (unknown.length > 0 || requested.length === 0) {
    throw new BenchUsageError(
      `--only ${unknown.length > 0 ? `names unknown group(s) ${unknown.join(', ')}` : 'names no group'}; ` +
        `choose from: ${groups.join(', ')}.`,
    );
  }
  return {
    json: values.json ?? false,
    quick: values.quick ?? false,
    only: groups.filter((name) => requested.includes(name)),
    help: values.help ?? false,
  };
}

/** Usage text, listing each group with what it measures. */
export function usage(groups: ReadonlyArray<{ name: string; description: string }>): string {
  const width = Math.max(...groups.map((group) => group.name.length));
  return [
    'Usage: npm run bench -- [--json] [--quick] [--only <group,…>]',
    '',
    'Measures trustmesh against baselines taken in the same run and prints PASS/MISS per target.',
    'Always exits 0 when every bench ran, whatever the verdicts: benchmarks report, they do not gate.',
    '',
    'Options:',
    '  --json           also print the figures as one JSON object on the last stdout line (table goes to stderr)',
    '  --quick          few iterations: checks that the benches run; the figures are not comparable',
    '  --only <groups>  comma-separated groups to run (default: all)',
    '  -h, --help       print this help',
    '',
    'Groups:',
    ...groups.map((group) => `  ${group.name.padEnd(width)}  ${group.description}`),
  ].join('\n');
}
