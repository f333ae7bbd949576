import picomatch from 'picomatch';
import type { Clock } from '../../clock.js';
import { type BaselineSet, baselineFor, type PurposeBaseline } from './baseline.js';
import { DEFAULT_MONITOR_CONFIG, type MonitorConfig } from './config.js';
import { MonitorSnapshotError } from './errors.js';
import { type MonitorOptions, type MonitorOptionsInput, parseMonitorOptions } from './options.js';
import { type CompiledRule, compileRule } from './rules.js';
import { SequenceModel } from './sequence.js';
import { SessionMonitor } from './session-monitor.js';
import type { MonitorSnapshot } from './snapshot.js';

export interface BehaviourModelInput {
  readonly config?: MonitorConfig;
  readonly baselines?: BaselineSet;
  readonly options?: MonitorOptionsInput;
}

export interface MonitorSessionInput {
  readonly sessionId: string;
  readonly purpose: string;
  /** The task as the session was given it (purpose description, task text): tokens here never drift. */
  readonly context: string;
  readonly clock: Clock;
}

/** Everything a purpose's sessions share, compiled once. */
export interface PurposeModel {
  readonly purpose: string;
  readonly baseline: PurposeBaseline;
  readonly sequence: SequenceModel;
  readonly rules: readonly CompiledRule[];
}

/**
 * The node-wide behaviour model: detection config, baselines and options compiled once; each session gets
 * its own `SessionMonitor` from `startSession`. Swap baselines by building a new model (sessions keep the
 * one they started with, so a session is judged by one baseline version throughout).
 */
export class BehaviourModel {
  readonly options: MonitorOptions;
  readonly config: MonitorConfig;
  readonly baselineVersion: string | undefined;
  readonly isSensitive: (path: string) => boolean;
  readonly isCanaryPath: (path: string) => boolean;
  readonly freeTextKeys: ReadonlySet<string>;
  readonly #baselines: BaselineSet | undefined;
  readonly #rules: readonly CompiledRule[];
  readonly #purposes = new Map<string, PurposeModel>();

  constructor(input: BehaviourModelInput = {}) {
    this.options = parseMonitorOptions(input.options);
    this.config = input.config ?? DEFAULT_MONITOR_CONFIG;
    this.#baselines = input.baselines;
    this.baselineVersion = input.baselines?.version;
    this.isSensitive = matcher(this.config.sensitive.paths);
    this.isCanaryPath = matcher(this.config.canary.paths);
    this.freeTextKeys = new Set(this.config.freeTextKeys);
    this.#rules = this.config.rules.map(compileRule);
  }

  purpose(purpose: string): PurposeModel {
    let model = this.#purposes.get(purpose);
    if (!model) {
      const baseline = baselineFor(this.#baselines, purpose);
      model = {
        purpose,
        baseline,
        sequence: new SequenceModel(baseline),
        rules: this.#rules.filter((rule) => rule.appliesTo(purpose)),
      };
      this.#purposes.set(purpose, model);
    }
    return model;
  }

  startSession(input: MonitorSessionInput): SessionMonitor {
    return new SessionMonitor(this, this.purpose(input.purpose), input);
  }

  /** A session monitor carrying on from its snapshot (validate it with `parseMonitorSnapshot` first). */
  restoreSession(input: MonitorSessionInput, saved: MonitorSnapshot): SessionMonitor {
    if (saved.purpose !== input.purpose) {
      throw new MonitorSnapshotError(
        `session ${input.sessionId}: the monitor snapshot is for purpose '${saved.purpose}', not '${input.purpose}'; the snapshot belongs to another session`,
      );
    }
    return new SessionMonitor(this, this.purpose(input.purpose), input, saved);
  }
}

/** Paths whose verdict a matcher remembers; sessions touch the same files again and again. */
const MATCH_CACHE_ENTRIES = 4096;

function matcher(globs: readonly string[]): (path: string) => boolean {
  if (globs.length === 0) return () => false;
  const match = picomatch([...globs], { dot: true });
  const seen = new Map<string, boolean>();
  return (path) => {
    let verdict = seen.get(path);
    if (verdict === undefined) {
      verdict = match(path);
      // Bounded: agent arguments are unbounded, so the cache starts over rather than grow.
      if (seen.size >= MATCH_CACHE_ENTRIES) seen.clear();
      seen.set(path, verdict);
    }
    return verdict;
  };
}
