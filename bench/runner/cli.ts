import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsServerProcess } from '../../src/natsd/index.js';
import { ensureNatsServer, startNatsServer } from '../../src/natsd/index.js';
import { FIGURES } from './catalogue.js';
import type { BenchContext, BenchGroup } from './group.js';
import { runGroups } from './group.js';
import { BenchUsageError, parseBenchOptions, sizesFor, usage } from './options.js';
import { buildRows, renderJson, renderTable, verdictSummary } from './report.js';
import { catalogueProblems } from './targets.js';

/** Exit codes: verdicts never change them; only a bench that could not run does. */
export const ExitCode = { Ok: 0, BenchFailed: 1, Usage: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * `npm run bench`: runs the selected groups, prints the table (stdout, or stderr with `--json`) and,
 * with `--json`, the figures as the last stdout line. Progress always goes to stderr.
 */
export async function benchMain(argv: readonly string[], groups: readonly BenchGroup[]): Promise<ExitCode> {
  const problems = catalogueProblems(FIGURES);
  if (problems.length > 0)
    throw new Error(`bench/runner/catalogue.ts is inconsistent: ${problems.join(' ')}`);
  let options: ReturnType<typeof parseBenchOptions>;
  try {
    options = parseBenchOptions(
      argv,
      groups.map((group) => group.name),
    );
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    console.error(error.message);
    return ExitCode.Usage;
  }
  if (options.help) {
    console.log(usage(groups));
    return ExitCode.Ok;
  }

  const log = (line: string): void => console.error(line);
  let server: Promise<NatsServerProcess> | undefined;
  const context: BenchContext = {
    sizes: sizesFor(options),
    natsUrl: async () => {
      server ??= startBenchNatsServer(log);
      return (await server).url;
    },
    log,
  };
  if (options.quick) log('bench: --quick: few iterations; these figures show the benches run, not how fast.');
  const started = process.hrtime.bigint();
  const selected = groups.filter((group) => options.only.includes(group.name));
  const result = await runGroups(selected, context).finally(async () => (await server)?.stop());
  log(`bench: finished in ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s.`);

  const rows = buildRows(result.figures, FIGURES);
  const table = `${renderTable(rows)}\n${verdictSummary(rows)}`;
  if (options.json) {
    log(table);
    console.log(renderJson(result.figures));
  } else {
    console.log(table);
  }
  if (result.failures.length === 0) return ExitCode.Ok;
  log(
    `bench: ${result.failures.map((failure) => failure.group).join(', ')} failed (see above); ` +
      'their figures are missing. Fix the failure, or leave the group out with --only.',
  );
  return ExitCode.BenchFailed;
}

/** The run's one nats-server: loopback, free port, throwaway directory removed when it stops. */
async function startBenchNatsServer(log: (line: string) => void): Promise<NatsServerProcess> {
  const binary = await ensureNatsServer({ onProgress: log });
  const dir = await mkdtemp(join(tmpdir(), 'trustmesh-bench-'));
  return startNatsServer({ dir, binary: binary.path, removeDirOnStop: true });
}
