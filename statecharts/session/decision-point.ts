import { enqueueActions, raise } from 'xstate';
import { Verdict } from '../../src/policy/vocabulary.js';
import type { SessionContext } from './context.js';
import type { CallDecision, DecidingState, RiskAssessment, SessionCall, SignalKind } from './events.js';
import { sessionMachine } from './machine.js';

export interface AssessCallInput {
  readonly call: SessionCall;
  readonly context: SessionContext;
}

export interface DecideCallInput {
  /** The state the call is decided in: after the call's own risk has moved the session. */
  readonly state: DecidingState;
  readonly call: SessionCall;
  readonly context: SessionContext;
}

/** A call's risk and any hard signals it raised (each suspends the session before the call is decided). */
export interface CallAssessment extends RiskAssessment {
  readonly signals?: readonly { readonly kind: SignalKind; readonly detail: string }[];
}

/** The session actor's synchronous hooks into the machine; both run inside one macrostep per call. */
export interface DecisionPoint {
  /**
   * Scores the call itself (rate, volume, canary proximity, …). Its signals are applied like `SIGNAL` events and
   * its score like a `RISK` event, all before the decision; `undefined` means the call adds no risk.
   */
  assessCall(input: AssessCallInput): CallAssessment | undefined;
  /** The policy decision for the call in `state`. A throw denies the call rather than failing the session. */
  decideCall(input: DecideCallInput): CallDecision;
}

function decideSafely(point: DecisionPoint, input: DecideCallInput): CallDecision {
  try {
    return point.decideCall(input);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return {
      verdict: Verdict.Deny,
      reason: `the policy decision failed (${why}); the call was denied, report it`,
    };
  }
}

/** The session machine with a decision point plugged into its `assessCall` and `decideCall` actions. */
export function withDecisionPoint(point: DecisionPoint, machine = sessionMachine): typeof sessionMachine {
  return machine.provide({
    actions: {
      assessCall: enqueueActions(({ context, event, enqueue }) => {
        if (event.type !== 'CALL') return;
        const risk = point.assessCall({ call: event.call, context });
        if (risk === undefined) return;
        for (const { kind, detail } of risk.signals ?? [])
          enqueue.raise({ type: 'SIGNAL', kind, detail, at: event.at });
        enqueue.raise({
          type: 'RISK',
          score: risk.score,
          reasons: risk.reasons,
          callId: event.call.callId,
          at: event.at,
        });
      }),
      decideCall: raise(({ context, event }, params) => {
        if (event.type !== 'session.decide')
          throw new TypeError(`decideCall handles session.decide, not ${event.type}`);
        const decision = decideSafely(point, { state: params.state, call: event.call, context });
        return { type: 'session.decided', call: event.call, decision, state: params.state, at: event.at };
      }),
    },
  });
}
