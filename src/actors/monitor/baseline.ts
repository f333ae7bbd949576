import { z } from 'zod';
import { BaselineError } from './errors.js';

/** The file format tag and the schema version a reader understands. */
export const BASELINE_FORMAT = 'trustmesh.baselines' as const;
export const BASELINE_SCHEMA = 1 as const;

/** What is normal for one purpose, learned from audit history (`trustmesh baseline learn`). */
export interface PurposeBaseline {
  /** Sessions the figures were learned from; 0 for the cold-start defaults. */
  readonly sessions: number;
  /** Peak one-minute call rate of a session (calls/min): typical and 95th percentile. */
  readonly ratePerMin: { readonly p50: number; readonly p95: number };
  /** Session duration (ms) from first to last call. */
  readonly durationMs: { readonly p50: number; readonly p95: number };
  /** First-order Markov counts: `transitions[from][to]`; `from` is `^` for a session's first call. */
  readonly transitions: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** A versioned set of per-purpose baselines, as stored in a file and in the KV bucket. */
export interface BaselineSet {
  readonly format: typeof BASELINE_FORMAT;
  readonly schema: typeof BASELINE_SCHEMA;
  /** Content digest plus learn time: tells two sets apart, and which a decision used. */
  readonly version: string;
  readonly learnedAt: string;
  readonly purposes: Readonly<Record<string, PurposeBaseline>>;
}

/** The Markov state before a session's first call. */
export const SEQUENCE_START = '^';

/**
 * Cold start: the seed's normal agent makes 2–5 calls a minute and finishes within the hour. No
 * transitions, so the sequence feature falls back to a uniform prior at low weight.
 */
export const COLD_START_BASELINE: PurposeBaseline = {
  sessions: 0,
  ratePerMin: { p50: 4, p95: 6 },
  durationMs: { p50: 15 * 60_000, p95: 60 * 60_000 },
  transitions: {},
};

const quantiles = z.object({ p50: z.number().nonnegative(), p95: z.number().positive() });
const purposeSchema = z.object({
  sessions: z.number().int().nonnegative(),
  ratePerMin: quantiles,
  durationMs: quantiles,
  transitions: z.record(z.string(), z.record(z.string(), z.number().int().nonnegative())),
});
const setSchema = z.object({
  format: z.literal(BASELINE_FORMAT),
  schema: z.literal(BASELINE_SCHEMA),
  version: z.string().min(1),
  learnedAt: z.string().min(1),
  purposes: z.record(z.string(), purposeSchema),
});

/** Reads a baselines document (file or KV value); throws `BaselineError` naming the field at fault. */
export function parseBaselineSet(text: string, source: string): BaselineSet {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new BaselineError(
      `${source}: not JSON (${(err as Error).message}); regenerate it with 'trustmesh baseline learn'`,
      { cause: err },
    );
  }
  const parsed = setSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || '(root)';
    throw new BaselineError(
      `${source}: ${field}: ${issue?.message ?? 'invalid'}; regenerate it with 'trustmesh baseline learn'`,
    );
  }
  return parsed.data;
}

/** The baseline for `purpose`, or the cold-start defaults when none was learned. */
export function baselineFor(set: BaselineSet | undefined, purpose: string): PurposeBaseline {
  return set?.purposes[purpose] ?? COLD_START_BASELINE;
}
