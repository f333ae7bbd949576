export type {
  PendingApproval,
  RiskThresholds,
  SessionContext,
  SessionInput,
  SessionTimeouts,
} from './context.js';
export {
  DEFAULT_HISTORY_LIMIT,
  DEFAULT_RISK_THRESHOLDS,
  DEFAULT_SESSION_TIMEOUTS,
  initialSessionContext,
} from './context.js';
export type { AssessCallInput, CallAssessment, DecideCallInput, DecisionPoint } from './decision-point.js';
export { withDecisionPoint } from './decision-point.js';
export type {
  CallDecision,
  DecidingState,
  OperatorEventType,
  RiskAssessment,
  SessionCall,
  SessionCommand,
  SessionEmitted,
  SessionEvent,
  SessionStatus,
  TransitionRecord,
} from './events.js';
export { SessionTimer, SignalKind, Terminated } from './events.js';
export { sessionMachine } from './machine.js';
export { containmentRank, sessionStatus } from './rules.js';
export type { SessionOutput } from './setup.js';
