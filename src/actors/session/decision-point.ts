import type { CallDecision, DecisionPoint } from '../../../statecharts/index.js';
import type { Clock } from '../../clock.js';
import {
  type CallHistory,
  type Decision,
  decide,
  type PolicyBundle,
  REASON_TEXT,
  ReasonCode,
  type ResourceResolver,
  type SessionCounters,
  Verdict,
} from '../../policy/index.js';
import type { SessionDescriptor } from '../control/index.js';
import type { SessionMonitor } from '../monitor/index.js';
import type { CallInFlight, CallsInFlight } from './calls.js';

/** What the decision point reads at decision time: always the session's current view. */
export interface DecisionSources {
  readonly descriptor: SessionDescriptor;
  readonly calls: CallsInFlight;
  readonly policy: () => PolicyBundle;
  readonly usage: () => { readonly history: CallHistory; readonly counters: SessionCounters };
  readonly clock: Clock;
  readonly resolver: ResourceResolver;
  readonly monitor: SessionMonitor;
}

/** The reason a decision gives people: what happened and, where it helps, the detail. */
export function describeDecision(decision: Decision): string {
  return decision.detail
    ? `${REASON_TEXT[decision.reason]} (${decision.detail})`
    : REASON_TEXT[decision.reason];
}

/**
 * Runs the pure policy `decide` inside the machine's macrostep, with the state the call is decided in
 * and the history and counters as they are at that moment. The full `Decision` (reason code, canonical
 * resource) is kept on the call for forwarding and for the agent's error.
 */
export function sessionDecisionPoint(sources: DecisionSources): DecisionPoint {
  const { descriptor, calls, policy, usage, clock, resolver, monitor } = sources;
  return {
    // The call's behavioural risk and hard signals move the session before the decision below.
    assessCall: ({ call }) =>
      monitor.assess({
        callId: call.callId,
        tool: call.tool,
        effect: call.effect,
        args: calls.get(call.callId)?.request.args,
      }),
    decideCall: ({ state, call }): CallDecision => {
      const flight = calls.get(call.callId);
      if (!flight) throw new Error(`call ${call.callId} is not in flight`);
      const { history, counters } = usage();
      const decision = decide(
        policy(),
        {
          purpose: descriptor.purpose,
          principal: descriptor.principal,
          state,
          sessionStartedAt: descriptor.createdAt,
          history,
          counters,
          call: flight.request,
        },
        clock,
        resolver,
      );
      flight.decision = boundByToken(decision, flight);
      return {
        verdict: flight.decision.verdict,
        reason: describeDecision(flight.decision),
        rule: flight.decision.rule,
        policyVersion: flight.decision.policyVersion,
      };
    },
  };
}

/** `DenialData.rule` of a call the session token does not grant. */
const TOKEN_TOOL_RULE = 'session-token';

/**
 * The session token's `tools` bound what policy may allow: a policy pushed after the credentials were
 * issued can narrow a session at once, but widening it needs renewed credentials. Policy's own
 * denials keep their reasons.
 */
function boundByToken(decision: Decision, flight: CallInFlight): Decision {
  const { tokenTools } = flight;
  if (!tokenTools || decision.verdict === Verdict.Deny || tokenTools.includes(flight.call.tool))
    return decision;
  return { ...decision, verdict: Verdict.Deny, reason: ReasonCode.DenyTokenTool, rule: TOKEN_TOOL_RULE };
}
