import { type Tracer, trace } from '@opentelemetry/api';

const VERSION = '0.1.0';

/** Instrumentation scopes: which part of the mesh made a span. */
export const Scope = {
  Transport: 'trustmesh/transport',
  Session: 'trustmesh/session',
  Broker: 'trustmesh/broker',
} as const;
export type Scope = (typeof Scope)[keyof typeof Scope];

const tracers = new Map<Scope, Tracer>();

/** The scope's tracer. The API hands out proxies, so one taken before the SDK starts still records. */
export function tracer(scope: Scope): Tracer {
  let found = tracers.get(scope);
  if (!found) {
    found = trace.getTracer(scope, VERSION);
    tracers.set(scope, found);
  }
  return found;
}
