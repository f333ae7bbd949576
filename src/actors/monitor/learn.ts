import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../../canonical-json.js';
import {
  BASELINE_FORMAT,
  BASELINE_SCHEMA,
  type BaselineSet,
  type PurposeBaseline,
  SEQUENCE_START,
} from './baseline.js';
import { DecayedCounter } from './decay.js';
import { BaselineError } from './errors.js';

/** The audit record fields learning reads (other fields are ignored). */
export interface AuditCall {
  readonly time: number;
  readonly session: string;
  readonly purpose: string;
  readonly tool: string;
  /** The session's state when the call was decided; sessions that ever left `active` are not normal. */
  readonly state: string;
}

export interface LearnOptions {
  /** When the baselines were learned (ms since epoch). */
  readonly now: number;
  /** Purposes with fewer clean sessions than this keep the cold-start defaults. @default 20 */
  readonly minSessions?: number;
}

export const DEFAULT_MIN_SESSIONS = 20;
const MINUTE = 60_000;

const auditLine = z.object({
  time: z.union([z.number(), z.string().min(1)]),
  session: z.string().min(1),
  purpose: z.string().min(1),
  tool: z.string().min(1),
  state: z.string().min(1),
});

/** One audit JSON line as an `AuditCall`; throws `BaselineError` naming the line and field at fault. */
export function parseAuditLine(line: string, where: string): AuditCall {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (err) {
    throw new BaselineError(
      `${where}: not JSON; pass the audit JSON-lines export (trustmesh audit tail --json)`,
      {
        cause: err,
      },
    );
  }
  const parsed = auditLine.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BaselineError(
      `${where}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}; is this an audit record?`,
    );
  }
  const time = typeof parsed.data.time === 'number' ? parsed.data.time : Date.parse(parsed.data.time);
  if (!Number.isFinite(time)) throw new BaselineError(`${where}: time: '${parsed.data.time}' is not a time`);
  return { ...parsed.data, time };
}

interface SessionTrack {
  readonly purpose: string;
  readonly first: number;
  last: number;
  previous: string;
  peakRate: number;
  readonly rate: DecayedCounter;
  clean: boolean;
  readonly transitions: [string, string][];
}

interface PurposeTrack {
  readonly rates: number[];
  readonly durations: number[];
  readonly transitions: Map<string, Map<string, number>>;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/**
 * Learns per-purpose baselines from audit calls (each session's calls in order). The one-minute rate is
 * replayed with the same decayed counter the monitor uses, so learned and live figures are comparable.
 */
export function learnBaselines(calls: Iterable<AuditCall>, options: LearnOptions): BaselineSet {
  const minSessions = options.minSessions ?? DEFAULT_MIN_SESSIONS;
  const sessions = new Map<string, SessionTrack>();
  for (const call of calls) {
    let track = sessions.get(call.session);
    if (!track) {
      track = {
        purpose: call.purpose,
        first: call.time,
        last: call.time,
        previous: SEQUENCE_START,
        peakRate: 0,
        rate: new DecayedCounter(MINUTE, call.time),
        clean: true,
        transitions: [],
      };
      sessions.set(call.session, track);
    }
    track.last = Math.max(track.last, call.time);
    track.peakRate = Math.max(track.peakRate, track.rate.add(call.time));
    track.transitions.push([track.previous, call.tool]);
    track.previous = call.tool;
    if (call.state !== 'active') track.clean = false;
  }
  const purposes = new Map<string, PurposeTrack>();
  for (const track of sessions.values()) {
    if (!track.clean) continue;
    let p = purposes.get(track.purpose);
    if (!p) {
      p = { rates: [], durations: [], transitions: new Map() };
      purposes.set(track.purpose, p);
    }
    p.rates.push(track.peakRate);
    p.durations.push(track.last - track.first);
    for (const [from, to] of track.transitions) {
      const row = p.transitions.get(from) ?? new Map<string, number>();
      row.set(to, (row.get(to) ?? 0) + 1);
      p.transitions.set(from, row);
    }
  }
  const learned: Record<string, PurposeBaseline> = {};
  for (const [purpose, p] of [...purposes].sort(([a], [b]) => a.localeCompare(b))) {
    if (p.rates.length < minSessions) continue;
    const rates = p.rates.sort((a, b) => a - b);
    const durations = p.durations.sort((a, b) => a - b);
    learned[purpose] = {
      sessions: rates.length,
      ratePerMin: { p50: round(quantile(rates, 0.5)), p95: Math.max(1, round(quantile(rates, 0.95))) },
      durationMs: { p50: quantile(durations, 0.5), p95: Math.max(MINUTE, quantile(durations, 0.95)) },
      transitions: Object.fromEntries(
        [...p.transitions].map(([from, row]) => [from, Object.fromEntries(row)]),
      ),
    };
  }
  const digest = createHash('sha256').update(canonicalJson(learned)).digest('hex').slice(0, 16);
  return {
    format: BASELINE_FORMAT,
    schema: BASELINE_SCHEMA,
    version: `b-${digest}`,
    learnedAt: new Date(options.now).toISOString(),
    purposes: learned,
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
