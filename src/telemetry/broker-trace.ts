import type { MsgHdrs } from '@nats-io/transport-node';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { Attr } from './attributes.js';
import { endMcpSpan, endThrown, type McpOutcome, startMcpSpan } from './mcp-span.js';
import { contextFromNats, withTraceMeta } from './propagation.js';
import { Scope, tracer } from './tracer.js';

/**
 * Serves one broker request inside a SERVER span `broker {server}` that continues the trace in the
 * request's NATS headers (the session actor's broker call). Refusals mark it through `markActiveFailed`.
 */
export function traceBrokerRequest<T>(
  server: string,
  headers: MsgHdrs | undefined,
  serve: () => Promise<T>,
): Promise<T> {
  const parent = contextFromNats(headers);
  const span = tracer(Scope.Broker).startSpan(
    `broker ${server}`,
    { kind: SpanKind.SERVER, attributes: { [Attr.Server]: server, [Attr.NetworkProtocolName]: 'nats' } },
    parent,
  );
  return context.with(trace.setSpan(parent, span), serve).finally(() => span.end());
}

/**
 * Runs the broker's MCP request to its server in a CLIENT span `{method} {tool}`; `call` gets the
 * params with the span's trace context in `params._meta`, so an instrumented server continues it.
 */
export async function traceUpstreamCall<R>(
  server: string,
  request: { method: string; params: Record<string, unknown> },
  call: (params: Record<string, unknown>) => Promise<R>,
): Promise<R> {
  const span = startMcpSpan(tracer(Scope.Broker), SpanKind.CLIENT, request, context.active(), {
    [Attr.Server]: server,
  });
  try {
    const result = await context.with(trace.setSpan(context.active(), span), () =>
      call(withTraceMeta(request.params)),
    );
    endMcpSpan(span, { result } as McpOutcome);
    return result;
  } catch (err) {
    endThrown(span, err);
    throw err;
  }
}
