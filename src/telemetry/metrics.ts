import {
  type Counter,
  type Histogram,
  type Meter,
  type MeterProvider,
  metrics,
  ValueType,
} from '@opentelemetry/api';
import { Attr } from './attributes.js';

/** Upper bounds of the call-latency histogram, in seconds (the MCP conventions' advice). */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];
const SCORE_BUCKETS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 0.95, 1];

interface Instruments {
  readonly calls: Counter;
  readonly denials: Counter;
  readonly duration: Histogram;
  readonly risk: Histogram;
  readonly transitions: Counter;
  readonly containments: Counter;
}

function create(meter: Meter): Instruments {
  return {
    calls: meter.createCounter('trustmesh.calls', {
      description: 'Calls the session actors decided, by tool and verdict.',
      unit: '{call}',
      valueType: ValueType.INT,
    }),
    denials: meter.createCounter('trustmesh.denials', {
      description: 'Denied calls, by tool and reason code.',
      unit: '{call}',
      valueType: ValueType.INT,
    }),
    duration: meter.createHistogram('trustmesh.call.duration', {
      description:
        'Time from a call reaching its session actor until its answer, decision and tool run included.',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    }),
    risk: meter.createHistogram('trustmesh.session.risk_score', {
      description: 'Risk scores the monitor assessed, in [0, 1].',
      unit: '1',
      advice: { explicitBucketBoundaries: SCORE_BUCKETS },
    }),
    transitions: meter.createCounter('trustmesh.session.transitions', {
      description: 'Session statechart transitions, by from, to and event.',
      unit: '{transition}',
      valueType: ValueType.INT,
    }),
    containments: meter.createCounter('trustmesh.session.containments', {
      description:
        'Transitions into a stricter containment state (scrutinised, read-only, suspended, terminated).',
      unit: '{transition}',
      valueType: ValueType.INT,
    }),
  };
}

let current: { provider: MeterProvider; instruments: Instruments } | undefined;

/**
 * The instruments on the global meter provider. The metrics API has no proxy provider, so instruments
 * made before the SDK started would stay no-ops: they are remade when the provider changes.
 */
function instruments(): Instruments {
  const provider = metrics.getMeterProvider();
  if (current?.provider !== provider) {
    current = { provider, instruments: create(provider.getMeter('trustmesh', '0.1.0')) };
  }
  return current.instruments;
}

/** One decided call and how long it took; a denial also counts under its reason. */
export function recordCall(call: {
  tool: string;
  verdict: string;
  durationMs: number;
  denialReason?: string;
  errorType?: string;
}): void {
  const { calls, denials, duration } = instruments();
  const attributes = { [Attr.GenAiToolName]: call.tool, [Attr.Verdict]: call.verdict };
  calls.add(1, attributes);
  if (call.denialReason !== undefined) {
    denials.add(1, { [Attr.GenAiToolName]: call.tool, [Attr.DenialReason]: call.denialReason });
  }
  duration.record(
    call.durationMs / 1000,
    call.errorType === undefined ? attributes : { ...attributes, [Attr.ErrorType]: call.errorType },
  );
}

/** A risk score the monitor assessed for a session (call it for every assessment). */
export function recordRiskScore(score: number, state?: string): void {
  if (!Number.isFinite(score)) return;
  instruments().risk.record(score, state === undefined ? {} : { [Attr.SessionState]: state });
}

/** One statechart transition; `contained` when it moved to a stricter containment state. */
export function recordTransition(transition: {
  from: string | null;
  to: string;
  event: string;
  contained: boolean;
}): void {
  const { transitions, containments } = instruments();
  const attributes = {
    [Attr.TransitionFrom]: transition.from ?? 'none',
    [Attr.TransitionTo]: transition.to,
    [Attr.TransitionEvent]: transition.event,
  };
  transitions.add(1, attributes);
  if (transition.contained) containments.add(1, attributes);
}
