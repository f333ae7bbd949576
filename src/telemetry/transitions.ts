import { type Context, context, SpanKind, trace } from '@opentelemetry/api';
import type { ActorRefLike, InspectionEvent } from 'xstate';
import { containmentRank, type TransitionRecord } from '../../statecharts/index.js';
import { Attr } from './attributes.js';
import { recordRiskScore, recordTransition } from './metrics.js';
import { Scope, tracer } from './tracer.js';

interface SessionLike {
  readonly context?: {
    readonly history?: readonly TransitionRecord[];
    readonly risk?: { readonly score: number };
  };
}

/**
 * An XState `inspect` observer for a session actor: each statechart transition becomes a short span
 * `session.transition` (session, from, to, event and reason from the machine's transition record)
 * and counts in the transition metrics; each risk assessment the machine takes in is recorded in the
 * risk-score histogram. The span is a child of whatever was active when the event
 * arrived (the call that crossed a threshold, say), or a trace of its own (an operator's command).
 * The history present when the actor starts (a restored session's) is not replayed.
 */
export function sessionInspector(sid: string): (event: InspectionEvent) => void {
  let root: ActorRefLike | undefined;
  let last: TransitionRecord | undefined;
  let risk: object | undefined;
  let started = false;
  const observe = (event: InspectionEvent): void => {
    // The root actor announces itself first, before it has a snapshot.
    root ??= event.actorRef;
    if (event.actorRef !== root || event.type === '@xstate.actor') return;
    const machine = (event.actorRef.getSnapshot() as SessionLike | undefined)?.context;
    const history = machine?.history ?? [];
    if (!started) {
      // The next is its start: what its history holds then (a restored session's) already happened.
      started = true;
      last = history.at(-1);
      risk = machine?.risk;
      return;
    }
    if (event.type !== '@xstate.snapshot') return;
    if (machine?.risk !== undefined && machine.risk !== risk) {
      risk = machine.risk;
      recordRiskScore(machine.risk.score);
    }
    if (history.at(-1) === last) return;
    const from = last === undefined ? 0 : history.lastIndexOf(last) + 1;
    last = history.at(-1);
    for (const record of history.slice(from)) traceTransition(sid, record, context.active());
  };
  return (event) => {
    try {
      observe(event);
    } catch {
      // Telemetry never fails the statechart it watches.
    }
  };
}

function traceTransition(sid: string, record: TransitionRecord, parent: Context): void {
  const contained = record.from !== null && containmentRank(record.to) > containmentRank(record.from);
  recordTransition({ from: record.from, to: record.to, event: record.event, contained });
  const span = tracer(Scope.Session).startSpan(
    'session.transition',
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        [Attr.McpSessionId]: sid,
        [Attr.TransitionFrom]: record.from ?? 'none',
        [Attr.TransitionTo]: record.to,
        [Attr.TransitionEvent]: record.event,
        [Attr.TransitionReason]: record.reason,
      },
    },
    parent,
  );
  // Also on the span that caused it, so a call's own span shows the state it moved the session to.
  trace.getSpan(parent)?.addEvent('session.transition', {
    [Attr.TransitionFrom]: record.from ?? 'none',
    [Attr.TransitionTo]: record.to,
    [Attr.TransitionReason]: record.reason,
  });
  span.end();
}
