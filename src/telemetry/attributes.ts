/**
 * Attribute names: the OpenTelemetry MCP and GenAI semantic conventions where they exist (Development
 * stability, so copied here rather than imported from the incubating entry point), `trustmesh.*` for
 * what only the mesh knows.
 */
export const Attr = {
  McpMethodName: 'mcp.method.name',
  McpSessionId: 'mcp.session.id',
  McpResourceUri: 'mcp.resource.uri',
  JsonRpcRequestId: 'jsonrpc.request.id',
  JsonRpcProtocolVersion: 'jsonrpc.protocol.version',
  RpcResponseStatusCode: 'rpc.response.status_code',
  GenAiToolName: 'gen_ai.tool.name',
  GenAiPromptName: 'gen_ai.prompt.name',
  GenAiOperationName: 'gen_ai.operation.name',
  ErrorType: 'error.type',
  NetworkTransport: 'network.transport',
  NetworkProtocolName: 'network.protocol.name',
  /** The MCP server a broker fronts. */
  Server: 'trustmesh.server',
  Verdict: 'trustmesh.verdict',
  /** Stable code of why a call was denied (`DENY_*`, `ERR_*`). */
  DenialReason: 'trustmesh.denial.reason',
  Rule: 'trustmesh.rule',
  PolicyVersion: 'trustmesh.policy.version',
  SessionState: 'trustmesh.session.state',
  TransitionFrom: 'trustmesh.session.from',
  TransitionTo: 'trustmesh.session.to',
  TransitionEvent: 'trustmesh.session.event',
  TransitionReason: 'trustmesh.session.reason',
  RiskScore: 'trustmesh.risk.score',
} as const;
export type Attr = (typeof Attr)[keyof typeof Attr];

/** `error.type` of a tool that answered with `isError: true` (a successful JSON-RPC response). */
export const TOOL_ERROR = 'tool_error';
