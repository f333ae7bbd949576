export { Attr, TOOL_ERROR } from './attributes.js';
export { traceBrokerRequest, traceUpstreamCall } from './broker-trace.js';
export { CallTrace, type CallVerdict } from './call-trace.js';
export type { McpOutcome, McpRequestLike } from './mcp-span.js';
export { endFailed, endMcpSpan, endThrown, markActiveFailed, startMcpSpan } from './mcp-span.js';
export { recordCall, recordRiskScore, recordTransition } from './metrics.js';
export type { TraceContext } from './propagation.js';
export {
  contextFrom,
  contextFromMeta,
  contextFromNats,
  natsTraceHeaders,
  traceContextOf,
  withTraceMeta,
} from './propagation.js';
export type { Telemetry, TelemetryOptions } from './sdk.js';
export { startTelemetry, telemetryConfigured } from './sdk.js';
export { currentTraceId } from './trace-id.js';
export { Scope, tracer } from './tracer.js';
export { sessionInspector } from './transitions.js';
