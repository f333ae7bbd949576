import type { EnvelopeKind, TraceContext } from './types.js';
import { EnvelopeKind as Kinds } from './types.js';

/** Longest session id or key id, in bytes: bounded so hostile headers cannot make us hold large strings. */
export const MAX_ID_BYTES = 128;
/** W3C traceparent is 55 characters today; later versions may append fields. */
export const MAX_TRACEPARENT_BYTES = 256;
/** W3C asks propagators to carry at least 512 characters of tracestate. */
export const MAX_TRACESTATE_BYTES = 512;

const KINDS: ReadonlySet<string> = new Set(Object.values(Kinds));
// Visible ASCII only: ids end up in NATS subjects, logs and map keys, where spaces and controls do harm.
const ID = /^[\x21-\x7e]+$/;
const PRINTABLE = /^[\x20-\x7e]*$/;

export function isEnvelopeKind(value: unknown): value is EnvelopeKind {
  return typeof value === 'string' && KINDS.has(value);
}

/** Session ids and key ids: 1–128 visible ASCII characters. */
export function isWireId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_ID_BYTES && ID.test(value);
}

/** Explains what is wrong with a trace context, or returns undefined when it is acceptable. */
export function traceProblem(trace: TraceContext): string | undefined {
  const { traceparent, tracestate } = trace;
  if (
    typeof traceparent !== 'string' ||
    traceparent.length === 0 ||
    traceparent.length > MAX_TRACEPARENT_BYTES ||
    !PRINTABLE.test(traceparent)
  ) {
    return `traceparent must be 1-${MAX_TRACEPARENT_BYTES} printable ASCII characters`;
  }
  if (
    tracestate !== undefined &&
    (typeof tracestate !== 'string' ||
      tracestate.length > MAX_TRACESTATE_BYTES ||
      !PRINTABLE.test(tracestate))
  ) {
    return `tracestate must be at most ${MAX_TRACESTATE_BYTES} printable ASCII characters`;
  }
  return undefined;
}
