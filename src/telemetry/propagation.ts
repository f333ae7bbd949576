import { type MsgHdrs, headers as natsHeaders } from '@nats-io/transport-node';
import { type Context, context, propagation, type TextMapGetter } from '@opentelemetry/api';

/** W3C trace context as it travels: the same shape as the envelope header's `trace` field. */
export interface TraceContext {
  traceparent: string;
  tracestate?: string;
}

type Carrier = Record<string, string>;

/**
 * The W3C trace context of `ctx` (the active one by default), or undefined when nothing is traced.
 * With no SDK the propagator is a no-op and this costs one empty object.
 */
export function traceContextOf(ctx: Context = context.active()): TraceContext | undefined {
  const carrier: Carrier = {};
  propagation.inject(ctx, carrier);
  const { traceparent, tracestate } = carrier;
  if (traceparent === undefined) return undefined;
  return tracestate === undefined || tracestate === '' ? { traceparent } : { traceparent, tracestate };
}

/** The context a received trace context continues (the active one when there is none). */
export function contextFrom(trace: Partial<TraceContext> | undefined): Context {
  const active = context.active();
  if (trace?.traceparent === undefined) return active;
  return propagation.extract(active, trace as Carrier);
}

/** NATS headers carrying the active trace context, or undefined (no headers at all) when untraced. */
export function natsTraceHeaders(ctx: Context = context.active()): MsgHdrs | undefined {
  const trace = traceContextOf(ctx);
  if (trace === undefined) return undefined;
  const h = natsHeaders();
  h.set('traceparent', trace.traceparent);
  if (trace.tracestate !== undefined) h.set('tracestate', trace.tracestate);
  return h;
}

const natsGetter: TextMapGetter<MsgHdrs> = {
  keys: (carrier) => carrier.keys(),
  get: (carrier, key) => (carrier.has(key) ? carrier.get(key) : undefined),
};

/** The context a NATS message's `traceparent`/`tracestate` headers continue. */
export function contextFromNats(h: MsgHdrs | undefined): Context {
  const active = context.active();
  if (h === undefined || !h.has('traceparent')) return active;
  return propagation.extract(active, h, natsGetter);
}

/**
 * MCP params with the active trace context in `params._meta` (`traceparent`, `tracestate`), the MCP
 * semantic conventions' propagation, so an instrumented server continues the trace. Unchanged when untraced.
 */
export function withTraceMeta<P extends Record<string, unknown>>(params: P): P {
  const trace = traceContextOf();
  if (trace === undefined) return params;
  const meta = params._meta;
  return { ...params, _meta: { ...(isRecord(meta) ? meta : {}), ...trace } };
}

/** The context an MCP request's `params._meta` trace context continues (the active one when absent). */
export function contextFromMeta(meta: unknown): Context {
  if (!isRecord(meta) || typeof meta.traceparent !== 'string') return context.active();
  const carrier: Carrier = { traceparent: meta.traceparent };
  if (typeof meta.tracestate === 'string') carrier.tracestate = meta.tracestate;
  return propagation.extract(context.active(), carrier);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
