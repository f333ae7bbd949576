import { context, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contextFromMeta,
  contextFromNats,
  natsTraceHeaders,
  traceContextOf,
  withTraceMeta,
} from '../../../src/telemetry/index.js';
import { installTracing } from './support.js';

describe('trace context propagation', () => {
  it('with no SDK carries nothing, even inside a span: no headers, no envelope field, params unchanged', () => {
    const params = { name: 'fs.read', arguments: {} };
    const remote = trace.wrapSpanContext({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 });
    context.with(trace.setSpan(context.active(), remote), () => expect(traceContextOf()).toBeUndefined());
    expect(traceContextOf()).toBeUndefined();
    expect(natsTraceHeaders()).toBeUndefined();
    expect(withTraceMeta(params)).toBe(params);
  });

  describe('with an SDK', () => {
    let tracing: ReturnType<typeof installTracing>;
    beforeAll(() => {
      tracing = installTracing();
    });
    afterAll(() => tracing.disable());
    const tracer = trace.getTracer('test');

    it("puts the active span's context in the envelope field, NATS headers and params._meta", () => {
      const span = tracer.startSpan('call');
      context.with(trace.setSpan(context.active(), span), () => {
        const { traceId, spanId } = span.spanContext();
        expect(traceContextOf()?.traceparent).toBe(`00-${traceId}-${spanId}-01`);

        const continued = trace.getSpanContext(contextFromNats(natsTraceHeaders()));
        expect(continued).toMatchObject({ traceId, spanId, isRemote: true });

        const params = withTraceMeta({ name: 'read', _meta: { progressToken: 7 } });
        expect(params._meta).toMatchObject({ progressToken: 7, traceparent: `00-${traceId}-${spanId}-01` });
        expect(trace.getSpanContext(contextFromMeta(params._meta))).toMatchObject({ traceId, spanId });
      });
      span.end();
    });

    it('continues nothing from a missing or malformed trace context', () => {
      expect(trace.getSpanContext(contextFromNats(undefined))).toBeUndefined();
      expect(trace.getSpanContext(contextFromMeta({ traceparent: 'not-a-traceparent' }))).toBeUndefined();
      expect(trace.getSpanContext(contextFromMeta('nonsense'))).toBeUndefined();
    });
  });
});
