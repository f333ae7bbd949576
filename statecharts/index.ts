export type {
  BrokerContext,
  BrokerEvent,
  BrokerInput,
  Quarantine,
  RetryOptions,
  ToolsDiff,
} from './broker/index.js';
export { acceptsCalls, backoffDelay, brokerMachine, withRandom } from './broker/index.js';
export type { Diagram } from './diagrams.js';
export { DIAGRAMS, diagramMarkdown } from './diagrams.js';
export { StatechartInputError } from './errors.js';
export { toMermaid } from './mermaid.js';
export type {
  AssessCallInput,
  CallAssessment,
  CallDecision,
  DecideCallInput,
  DecidingState,
  DecisionPoint,
  RiskAssessment,
  RiskThresholds,
  SessionCall,
  SessionCommand,
  SessionContext,
  SessionEmitted,
  SessionEvent,
  SessionInput,
  SessionOutput,
  SessionStatus,
  SessionTimeouts,
  TransitionRecord,
} from './session/index.js';
export {
  containmentRank,
  SessionTimer,
  SignalKind,
  sessionMachine,
  sessionStatus,
  Terminated,
  withDecisionPoint,
} from './session/index.js';
