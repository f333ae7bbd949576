export type {
  Bound,
  CatalogueEntry,
  GlobRule,
  Grant,
  Limits,
  PolicyBundle,
  Purpose,
  Schedule,
  TimeWindow,
} from './compile/index.js';
export {
  type ConditionsCompiler,
  GRANTABLE_METHODS,
  isMeshLocalMethod,
  loadPolicy,
  type ParsePolicyOptions,
  parsePolicy,
  policyVersion,
  readPolicyFiles,
} from './compile/index.js';
export {
  type CallHistory,
  type CallOutcome,
  type Decision,
  type DecisionInput,
  decide,
  EMPTY_COUNTERS,
  EMPTY_HISTORY,
  type McpCall,
  REASON_TEXT,
  ReasonCode,
  type RecordedCall,
  Rule,
  rateWindowDepth,
  recordCall,
  type SessionCounters,
  type ToolHistory,
  type Usage,
} from './decide/index.js';
export type { PolicyFile } from './format/read-file.js';
export { Approval, ResourceKind } from './format/schema.js';
export { formatIssue, type PolicyIssue, PolicyValidationError } from './issues.js';
export {
  canonicalRelativePath,
  createFsResolver,
  lexicalResolver,
  type ResourceResolver,
} from './resource/index.js';
export { Effect, SessionState, Tier, Verdict } from './vocabulary.js';
