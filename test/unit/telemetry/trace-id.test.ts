import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentTraceId } from '../../../src/telemetry/index.js';

const spanContext = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: 1,
};

describe('currentTraceId', () => {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterAll(() => {
    context.disable();
  });

  it('is undefined outside any span', () => {
    expect(currentTraceId()).toBeUndefined();
  });

  it('names the trace of the active span, across awaits', async () => {
    const active = trace.setSpan(context.active(), trace.wrapSpanContext(spanContext));
    await context.with(active, async () => {
      await Promise.resolve();
      expect(currentTraceId()).toBe(spanContext.traceId);
    });
  });

  it('is undefined for an invalid (all-zero) span context', () => {
    const invalid = trace.wrapSpanContext({ ...spanContext, traceId: '0'.repeat(32) });
    context.with(trace.setSpan(context.active(), invalid), () => {
      expect(currentTraceId()).toBeUndefined();
    });
  });
});
