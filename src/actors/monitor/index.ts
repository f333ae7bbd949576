export type { BaselineSet, PurposeBaseline } from './baseline.js';
export {
  BASELINE_FORMAT,
  BASELINE_SCHEMA,
  baselineFor,
  COLD_START_BASELINE,
  parseBaselineSet,
  SEQUENCE_START,
} from './baseline.js';
export type { BaselineFollowerOptions } from './baseline-store.js';
export {
  BASELINE_BUCKET,
  BASELINE_KEY,
  BaselineFollower,
  openBaselineBucket,
  storeBaselines,
} from './baseline-store.js';
export type { CallSelector, DetectionRule, MonitorConfig } from './config.js';
export { DEFAULT_MONITOR_CONFIG, parseMonitorConfig, RuleKind } from './config.js';
export { BaselineError, MonitorConfigError, MonitorSnapshotError } from './errors.js';
export { Feature } from './features.js';
export type { AuditCall, LearnOptions } from './learn.js';
export { DEFAULT_MIN_SESSIONS, learnBaselines, parseAuditLine } from './learn.js';
export type { BehaviourModelInput, MonitorSessionInput } from './model.js';
export { BehaviourModel } from './model.js';
export type { FeatureWeights, MonitorOptions, MonitorOptionsInput } from './options.js';
export { DEFAULT_FEATURE_WEIGHTS, DEFAULT_MONITOR_OPTIONS, parseMonitorOptions } from './options.js';
export type { CallOutcome, MonitorAssessment, MonitoredCall, MonitorSignal } from './session-monitor.js';
export { SessionMonitor } from './session-monitor.js';
export type { MonitorSnapshot } from './snapshot.js';
export { parseMonitorSnapshot } from './snapshot.js';
