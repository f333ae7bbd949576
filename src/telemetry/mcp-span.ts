import {
  type Attributes,
  type Context,
  type Span,
  type SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { Attr, TOOL_ERROR } from './attributes.js';

/** The parts of a JSON-RPC request an MCP span describes. */
export interface McpRequestLike {
  readonly method: string;
  readonly id?: string | number;
  readonly params?: Record<string, unknown> | undefined;
}

/** The parts of a JSON-RPC response that say how a request ended. */
export type McpOutcome =
  | { readonly result: Record<string, unknown> | unknown }
  | { readonly error: { readonly code: number; readonly message?: string } };

/**
 * Starts the span of one MCP request per the MCP semantic conventions: named `{method} {target}`
 * (target the tool or prompt name when there is one), CLIENT on the sending side, SERVER on the
 * receiving side. Attributes are only computed when the span records.
 */
export function startMcpSpan(
  tracer: Tracer,
  kind: typeof SpanKind.CLIENT | typeof SpanKind.SERVER,
  request: McpRequestLike,
  parent: Context,
  extra?: Attributes,
): Span {
  const target = targetOf(request);
  const name = target === undefined ? request.method : `${request.method} ${target}`;
  const span = tracer.startSpan(name, { kind }, parent);
  if (!span.isRecording()) return span;
  span.setAttributes({
    [Attr.McpMethodName]: request.method,
    [Attr.JsonRpcProtocolVersion]: '2.0',
    ...extra,
  });
  if (request.id !== undefined) span.setAttribute(Attr.JsonRpcRequestId, String(request.id));
  const params = request.params;
  if (request.method === 'tools/call' && target !== undefined) {
    span.setAttributes({ [Attr.GenAiToolName]: target, [Attr.GenAiOperationName]: 'execute_tool' });
  } else if (request.method === 'prompts/get' && target !== undefined) {
    span.setAttribute(Attr.GenAiPromptName, target);
  } else if (typeof params?.uri === 'string') {
    span.setAttribute(Attr.McpResourceUri, params.uri);
  }
  return span;
}

/** Ends an MCP span with how its request ended: a JSON-RPC error, a tool error, or success. */
export function endMcpSpan(span: Span, outcome: McpOutcome): void {
  if (span.isRecording()) {
    if ('error' in outcome) {
      const code = String(outcome.error.code);
      span.setAttributes({ [Attr.ErrorType]: code, [Attr.RpcResponseStatusCode]: code });
      span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error.message });
    } else if (isToolError(outcome.result)) {
      span.setAttribute(Attr.ErrorType, TOOL_ERROR);
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
  }
  span.end();
}

/** Ends a span that failed with `errorType` (a stable error code) and a message for the operator. */
export function endFailed(span: Span, errorType: string, message?: string): void {
  if (span.isRecording()) {
    span.setAttribute(Attr.ErrorType, errorType);
    span.setStatus({ code: SpanStatusCode.ERROR, message });
  }
  span.end();
}

/** Ends a span with what was thrown: its stable `code` as `error.type` when it has one. */
export function endThrown(span: Span, err: unknown): void {
  const code = (err as { code?: unknown } | null)?.code;
  const type = typeof code === 'string' ? code : err instanceof Error ? err.name : 'Error';
  endFailed(span, type, err instanceof Error ? err.message : String(err));
}

/** Marks the active span failed (a refusal decided deep inside a call); no-op when untraced. */
export function markActiveFailed(errorType: string, message?: string): void {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return;
  span.setAttribute(Attr.ErrorType, errorType);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

function targetOf(request: McpRequestLike): string | undefined {
  if (request.method !== 'tools/call' && request.method !== 'prompts/get') return undefined;
  const name = request.params?.name;
  return typeof name === 'string' ? name : undefined;
}

function isToolError(result: unknown): boolean {
  return result !== null && typeof result === 'object' && (result as { isError?: unknown }).isError === true;
}
