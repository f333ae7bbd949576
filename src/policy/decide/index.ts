export { decide, Rule } from './decide.js';
export { REASON_TEXT, ReasonCode } from './reasons.js';
export {
  type CallOutcome,
  MAX_RECENT,
  MAX_RESOURCES_PER_TOOL,
  type RecordedCall,
  recordCall,
} from './record.js';
export { localTime, withinSchedule } from './schedule.js';
export {
  type CallHistory,
  type Decision,
  type DecisionInput,
  EMPTY_COUNTERS,
  EMPTY_HISTORY,
  EMPTY_USAGE,
  type McpCall,
  type SessionCounters,
  type ToolHistory,
  type Usage,
} from './types.js';
export { callsInWindow, RATE_WINDOW_MS, rateWindowDepth } from './usage.js';
