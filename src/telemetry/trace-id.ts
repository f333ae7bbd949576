import { isSpanContextValid, trace } from '@opentelemetry/api';

/**
 * The trace id of the span active in the current context, or undefined when there is none
 * (tracing off, or outside any traced call). Never throws: telemetry must not fail a call.
 */
export function currentTraceId(): string | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext !== undefined && isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}
