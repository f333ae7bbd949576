import type { RiskAssessment } from '../../../statecharts/index.js';
import { ramp } from './decay.js';
import type { MonitorOptions } from './options.js';
import type { CompiledRule } from './rules.js';

/** The behaviour features, in the order their levels are kept. */
export const Feature = ['rate', 'sequence', 'drift', 'taint', 'duration', 'denials', 'authFailures'] as const;
export type Feature = (typeof Feature)[number];

/** Where each feature's level (in [0, 1]) starts and saturates; documented in decision 0009. */
const RATE_RAMP = [2, 5] as const; // × the purpose's p95 one-minute rate
const SEQUENCE_RAMP = [0.2, 0.7] as const; // EWMA of per-transition rarity
const DRIFT_RAMP = [0.3, 0.8] as const; // EWMA of the novel share of argument tokens
const DURATION_RAMP = [1.5, 3] as const; // × the purpose's p95 duration
const DENIAL_RAMP = [3, 10] as const; // denials in ~5 min
const AUTH_RAMP = [1, 5] as const; // failed authentications in ~5 min

/** An egress call that carried data from a sensitive read. */
export interface TaintHit {
  readonly at: number;
  readonly count: number;
  readonly tool: string;
}

export interface ScoreInput {
  readonly now: number;
  readonly options: MonitorOptions;
  /** Written with each feature's level, for `inspect`. */
  readonly levels: Float64Array;
  readonly ratePerMin: number;
  readonly rateP95: number;
  readonly sequence: number;
  readonly drift: number;
  /** The last egress call that carried tainted tokens; `at` is NaN until one did. */
  readonly taint: TaintHit;
  readonly tool: string | undefined;
  readonly durationRatio: number;
  readonly denials: number;
  readonly authFailures: number;
  readonly rules: readonly CompiledRule[];
  readonly ruleHits: Float64Array;
  readonly ruleDetail: readonly (string | undefined)[];
}

function describe(feature: Feature, input: ScoreInput): string {
  switch (feature) {
    case 'rate':
      return `rate: ${input.ratePerMin.toFixed(1)} calls/min against a p95 of ${input.rateP95}/min`;
    case 'sequence':
      return `sequence: ${input.tool ?? 'the calls'} follows an unlikely path for this purpose`;
    case 'drift':
      return `drift: ${Math.round(input.drift * 100)}% of recent argument tokens are in neither the task nor any output`;
    case 'taint':
      return `taint: ${input.taint.tool} carries ${input.taint.count} token(s) of data from a sensitive read`;
    case 'duration':
      return `duration: the session has run ${input.durationRatio.toFixed(1)}× the purpose's p95`;
    case 'denials':
      return `denials: ${input.denials.toFixed(1)} in the last ~5 min`;
    case 'authFailures':
      return `authFailures: ${input.authFailures.toFixed(1)} failed authentications in the last ~5 min`;
  }
}

/** Why contributor `index` counts: a feature (`Feature` order) or, after them, a rule. */
function reason(index: number, input: ScoreInput): string {
  const feature = Feature[index];
  if (feature !== undefined) return describe(feature, input);
  const i = index - Feature.length;
  return `rule ${input.rules[i]?.name}: ${input.ruleDetail[i] ?? 'fired'}`;
}

/**
 * Combines feature levels and rule hits as a noisy-OR, `1 − Π(1 − w·level)`: bounded in [0, 1], monotone in
 * every input, and one strong feature is enough. Reasons name what contributed most first.
 */
export function scoreFeatures(input: ScoreInput): RiskAssessment {
  const { options, levels } = input;
  const w = options.weights;
  levels[0] = ramp(input.ratePerMin / input.rateP95, RATE_RAMP[0], RATE_RAMP[1]);
  levels[1] = ramp(input.sequence, SEQUENCE_RAMP[0], SEQUENCE_RAMP[1]);
  levels[2] = ramp(input.drift, DRIFT_RAMP[0], DRIFT_RAMP[1]);
  // Taint stays at full level for the call that carried it, then fades like a fired rule.
  levels[3] = Number.isNaN(input.taint.at)
    ? 0
    : 0.5 ** ((input.now - input.taint.at) / options.ruleHalfLifeMs);
  levels[4] = ramp(input.durationRatio, DURATION_RAMP[0], DURATION_RAMP[1]);
  levels[5] = ramp(input.denials, DENIAL_RAMP[0], DENIAL_RAMP[1]);
  levels[6] = ramp(input.authFailures, AUTH_RAMP[0], AUTH_RAMP[1]);
  // Usually nothing contributes; reason strings are built only for what does, after sorting.
  const contributions: { weight: number; index: number }[] = [];
  let calm = 1;
  for (let i = 0; i < Feature.length; i++) {
    const weight = w[Feature[i] as Feature] * (levels[i] ?? 0);
    calm *= 1 - weight;
    if (weight >= options.reasonFloor) contributions.push({ weight, index: i });
  }
  for (let i = 0; i < input.rules.length; i++) {
    const hitAt = input.ruleHits[i] ?? Number.NaN;
    if (Number.isNaN(hitAt)) continue;
    const weight = (input.rules[i]?.severity ?? 0) * 0.5 ** ((input.now - hitAt) / options.ruleHalfLifeMs);
    calm *= 1 - weight;
    if (weight >= options.reasonFloor) contributions.push({ weight, index: Feature.length + i });
  }
  const score = Math.min(1, Math.max(0, 1 - calm));
  if (contributions.length === 0) return { score, reasons: [] };
  contributions.sort((a, b) => b.weight - a.weight);
  return { score, reasons: contributions.map(({ index }) => reason(index, input)) };
}
