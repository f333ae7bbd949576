import type { BenchSizes } from './options.js';

/** What a group gets from the runner: how much to measure and the one nats-server of the run. */
export interface BenchContext {
  sizes: BenchSizes;
  /** URL of the run's nats-server, started on first use so groups without NATS never pay for it. */
  natsUrl(): Promise<string>;
  /** Progress for humans; goes to stderr so stdout stays machine-readable. */
  log(line: string): void;
}

/** A named set of figures measured together; `--only` selects groups by name. */
export interface BenchGroup {
  name: string;
  description: string;
  run(context: BenchContext): Promise<Record<string, number>>;
}

export interface GroupFailure {
  group: string;
  error: unknown;
}

export interface RunResult {
  /** Figures in measurement order. */
  figures: Record<string, number>;
  failures: GroupFailure[];
}

/**
 * Runs groups one after another, always in the order given, so every subject meets the same
 * process state in every run. A failing group is reported and the rest still run.
 */
export async function runGroups(groups: readonly BenchGroup[], context: BenchContext): Promise<RunResult> {
  const figures: Record<string, number> = {};
  const failures: GroupFailure[] = [];
  for (const group of groups) {
    context.log(`bench: ${group.name}: ${group.description}…`);
    try {
      const measured = await group.run(context);
      const bad = Object.entries(measured).find(([, value]) => !(Number.isFinite(value) && value > 0));
      if (bad)
        throw new RangeError(
          `figure ${bad[0]} came out as ${bad[1]}; a measurement must be a positive number.`,
        );
      Object.assign(figures, measured);
    } catch (error) {
      failures.push({ group: group.name, error });
      context.log(`bench: ${group.name} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { figures, failures };
}
