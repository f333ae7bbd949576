import { MonitorConfigError } from './errors.js';

/**
 * How much each feature can add to the risk score. Components combine as a noisy-OR,
 * `score = 1 − Π(1 − weight·level)`, so one feature alone never exceeds its weight and a weight of 1
 * means "hard-signal level": that feature alone reaches suspend.
 */
export interface FeatureWeights {
  /** Call rate against the purpose's p95 (full at 5× p95). Alone it reaches readOnly. @default 0.85 */
  readonly rate: number;
  /** Unlikely tool transitions under the purpose's Markov model. Never contains alone. @default 0.45 */
  readonly sequence: number;
  /** Argument tokens found neither in the task context nor in earlier outputs. Alone: scrutinise. @default 0.7 */
  readonly drift: number;
  /** Sensitive-read data in the arguments of an egress tool. @default 1 */
  readonly taint: number;
  /** Session age against the purpose's p95 duration (full at 3× p95). Alone: scrutinise. @default 0.6 */
  readonly duration: number;
  /** Denials in the last 5 minutes (full at 10). @default 0.6 */
  readonly denials: number;
  /** Failed authentications in the last 5 minutes (full at 5). @default 0.8 */
  readonly authFailures: number;
}

export interface MonitorOptions {
  readonly weights: FeatureWeights;
  /** Half-life of a fired rule's contribution, so a scrutinised session can calm down. @default 900_000 */
  readonly ruleHalfLifeMs: number;
  /** log2 of the bits in each per-session token filter (15 = 4 KiB). @default 15 */
  readonly filterBits: number;
  /** Characters of one argument value or one output that are tokenised. @default 16_384 */
  readonly maxScanChars: number;
  /** Reasons below this contribution are not named. @default 0.05 */
  readonly reasonFloor: number;
}

export const DEFAULT_FEATURE_WEIGHTS: FeatureWeights = {
  rate: 0.85,
  sequence: 0.45,
  drift: 0.7,
  taint: 1,
  duration: 0.6,
  denials: 0.6,
  authFailures: 0.8,
};

export const DEFAULT_MONITOR_OPTIONS: MonitorOptions = {
  weights: DEFAULT_FEATURE_WEIGHTS,
  ruleHalfLifeMs: 900_000,
  filterBits: 15,
  maxScanChars: 16_384,
  reasonFloor: 0.05,
};

export type MonitorOptionsInput = Partial<Omit<MonitorOptions, 'weights'>> & {
  readonly weights?: Partial<FeatureWeights>;
};

function fail(field: string, problem: string): never {
  throw new MonitorConfigError(`monitor options: ${field} ${problem}; fix the monitor options`);
}

/** Fills defaults and rejects values that would make the score meaningless. */
export function parseMonitorOptions(input: MonitorOptionsInput = {}): MonitorOptions {
  const weights = { ...DEFAULT_FEATURE_WEIGHTS, ...input.weights };
  for (const [name, weight] of Object.entries(weights)) {
    if (!(Number.isFinite(weight) && weight >= 0 && weight <= 1))
      fail(`weights.${name}`, `must be in [0, 1], got ${weight}`);
  }
  const options = { ...DEFAULT_MONITOR_OPTIONS, ...input, weights };
  if (!(Number.isSafeInteger(options.ruleHalfLifeMs) && options.ruleHalfLifeMs > 0))
    fail('ruleHalfLifeMs', `must be a positive integer, got ${options.ruleHalfLifeMs}`);
  if (!(Number.isInteger(options.filterBits) && options.filterBits >= 10 && options.filterBits <= 24))
    fail('filterBits', `must be an integer in [10, 24], got ${options.filterBits}`);
  if (!(Number.isSafeInteger(options.maxScanChars) && options.maxScanChars > 0))
    fail('maxScanChars', `must be a positive integer, got ${options.maxScanChars}`);
  if (!(options.reasonFloor >= 0 && options.reasonFloor < 1))
    fail('reasonFloor', `must be in [0, 1), got ${options.reasonFloor}`);
  return options;
}
