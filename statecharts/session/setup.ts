import type { ParameterizedObject } from 'xstate';
import { assign, emit, enqueueActions, raise, setup } from 'xstate';
import { SessionState, Verdict } from '../../src/policy/vocabulary.js';
import type { SessionContext, SessionInput } from './context.js';
import { initialSessionContext } from './context.js';
import type {
  DecidingState,
  SessionEmitted,
  SessionEvent,
  SessionStatus,
  SessionTimer,
  TransitionRecord,
} from './events.js';
import type { RiskLevel } from './rules.js';
import { containmentRank, describeEvent, eventTime, riskReaches, stateFloor, stepUp } from './rules.js';

/** What a finished (terminated) session hands its host. */
export interface SessionOutput {
  readonly sessionId: string;
  readonly history: readonly TransitionRecord[];
}

type TimerParams = { readonly timer: SessionTimer };
type StateParams = { readonly state: DecidingState };

/**
 * `enqueueActions` with its types spelled out: TypeScript cannot infer them inside `setup` (xstate#4923).
 * These actions enqueue only built-ins, so no named action, guard or actor appears in them.
 */
function builtIns<TParams extends ParameterizedObject['params'] | undefined = undefined>(
  collect: Parameters<
    typeof enqueueActions<
      SessionContext,
      SessionEvent,
      TParams,
      SessionEvent,
      never,
      never,
      never,
      SessionTimer,
      SessionEmitted
    >
  >[0],
) {
  return enqueueActions<
    SessionContext,
    SessionEvent,
    TParams,
    SessionEvent,
    never,
    never,
    never,
    SessionTimer,
    SessionEmitted
  >(collect);
}

function remaining(context: SessionContext, event: SessionEvent, timer: SessionTimer): number {
  return Math.max(0, (context.deadlines[timer] ?? 0) - eventTime(event, context));
}

/** Named implementations of the session statechart; `assessCall` and `decideCall` are replaced with `provide`. */
export const sessionSetup = setup({
  types: {
    context: {} as SessionContext,
    events: {} as SessionEvent,
    input: {} as SessionInput,
    emitted: {} as SessionEmitted,
    output: {} as SessionOutput,
  },
  delays: {
    ttl: ({ context, event }) => remaining(context, event, 'ttl'),
    quiet: ({ context, event }) => remaining(context, event, 'quiet'),
    reauth: ({ context, event }) => remaining(context, event, 'reauth'),
    approval: ({ context, event }) => remaining(context, event, 'approval'),
  },
  guards: {
    riskReaches: ({ context, event }, params: { readonly level: RiskLevel }) =>
      event.type === 'RISK' && riskReaches(event.score, params.level, context.thresholds),
    riskBelowDecay: ({ context, event }) => event.type === 'RISK' && event.score < context.thresholds.decay,
    // A timer event counts only for the deadline it was armed for; re-armed or cleared timers are stale.
    timerDue: ({ context, event }, params: TimerParams) =>
      event.type === 'session.timeout' &&
      event.timer === params.timer &&
      context.deadlines[params.timer] === event.at,
    floored: ({ event }, params: StateParams) =>
      event.type === 'session.decide' && stateFloor(params.state, event.call) !== null,
    needsApproval: ({ event }) =>
      event.type === 'session.decided' &&
      stepUp(event.state, event.call, event.decision).verdict === Verdict.NeedsApproval,
    answersPending: ({ context, event }) =>
      (event.type === 'APPROVAL_GRANTED' || event.type === 'APPROVAL_DENIED') &&
      context.pending?.call.callId === event.callId,
    approvalSettled: ({ context }) => context.pending === null,
    staleExpiry: ({ event }) => event.type === 'REAUTH_OK' && event.expiresAt <= event.at,
    resumesScrutinised: ({ context }) => context.resumeTo === SessionState.Scrutinised,
  },
  actions: {
    record: builtIns<{ readonly to: SessionStatus }>(({ context, event, enqueue }, params) => {
      const from = context.history.at(-1)?.to ?? null;
      const reason = describeEvent(event, context);
      const at = eventTime(event, context);
      const record: TransitionRecord = { from, to: params.to, event: event.type, reason, at };
      enqueue.assign({ history: [...context.history, record].slice(-context.historyLimit) });
      enqueue.emit({ type: 'transitioned', record });
      if (from !== null && containmentRank(params.to) > containmentRank(from)) {
        enqueue.emit({ type: 'contained', from, to: params.to, reason, at });
      }
    }),
    noteRisk: assign({
      risk: ({ context, event }) =>
        event.type === 'RISK' ? { score: event.score, reasons: event.reasons, at: event.at } : context.risk,
    }),
    /** Sets a deadline `duration` after the event; `ttl` and `approval` deadlines are set by their causes. */
    startTimer: assign({
      deadlines: ({ context, event }, params: { readonly timer: 'quiet' | 'reauth' }) => ({
        ...context.deadlines,
        [params.timer]: eventTime(event, context) + context.timeouts[`${params.timer}Ms`],
      }),
    }),
    stopTimer: builtIns<TimerParams>(({ context, enqueue }, params) => {
      enqueue.cancel(params.timer);
      enqueue.assign({ deadlines: { ...context.deadlines, [params.timer]: null } });
    }),
    // Overdue deadlines fire at once, inside this macrostep, so no event is handled in a state already over.
    armTimer: builtIns<TimerParams>(({ context, event, enqueue }, params) => {
      const deadline = context.deadlines[params.timer];
      enqueue.cancel(params.timer);
      if (deadline === null) return;
      const timeout = { type: 'session.timeout', timer: params.timer, at: deadline } as const;
      if (deadline <= eventTime(event, context)) enqueue.raise(timeout);
      else enqueue.raise(timeout, { id: params.timer, delay: params.timer });
    }),
    fireOverdue: builtIns(({ context, event, enqueue }) => {
      for (const [timer, deadline] of Object.entries(context.deadlines) as [SessionTimer, number | null][]) {
        if (deadline !== null && deadline <= eventTime(event, context)) {
          enqueue.raise({ type: 'session.timeout', timer, at: deadline });
        }
      }
    }),
    setExpiry: assign({
      deadlines: ({ context, event }) =>
        event.type === 'REAUTH_OK' ? { ...context.deadlines, ttl: event.expiresAt } : context.deadlines,
    }),
    /** Reauth returns to active only from active; any containment before it comes back as scrutiny. */
    rememberResume: assign({
      resumeTo: ({ context }) =>
        context.history.at(-1)?.to === SessionState.Active ? SessionState.Active : SessionState.Scrutinised,
    }),
    resumeScrutinised: assign({ resumeTo: SessionState.Scrutinised }),
    /** Replaced with `provide`: scores the call itself and raises `RISK` before the decision. */
    assessCall: () => {},
    requestDecision: raise(({ event }) => {
      if (event.type !== 'CALL') throw new TypeError(`requestDecision handles CALL, not ${event.type}`);
      return { type: 'session.decide', call: event.call, at: event.at } as const;
    }),
    /** Replaced with `provide`; without a policy decision point every call is denied. */
    decideCall: raise(({ event }, params: StateParams) => {
      if (event.type !== 'session.decide')
        throw new TypeError(`decideCall handles session.decide, not ${event.type}`);
      const reason =
        'no policy decision point is configured for this session; ask the operator to load a policy';
      return {
        ...event,
        type: 'session.decided',
        decision: { verdict: Verdict.Deny, reason },
        state: params.state,
      };
    }),
    denyByState: emit(({ event }, params: { readonly state: SessionState }) => {
      if (event.type !== 'CALL' && event.type !== 'session.decide') {
        throw new TypeError(`denyByState handles calls, not ${event.type}`);
      }
      const { reason } = stateFloor(params.state, event.call) ?? {
        reason: `calls are not decided in ${params.state}`,
      };
      const { callId, tool } = event.call;
      return {
        type: 'decided',
        callId,
        tool,
        verdict: Verdict.Deny,
        reason,
        state: params.state,
        at: event.at,
      };
    }),
    emitDecision: emit(({ event }) => {
      if (event.type !== 'session.decided')
        throw new TypeError(`emitDecision handles decisions, not ${event.type}`);
      const decision = stepUp(event.state, event.call, event.decision);
      const reason =
        decision.verdict === Verdict.NeedsApproval
          ? `another call of this session is awaiting approval; retry after it is answered (${decision.reason})`
          : decision.reason;
      const verdict = decision.verdict === Verdict.Allow ? Verdict.Allow : Verdict.Deny;
      const { callId, tool } = event.call;
      return {
        type: 'decided',
        ...decision,
        callId,
        tool,
        verdict,
        reason,
        state: event.state,
        at: event.at,
      };
    }),
    holdForApproval: assign(({ context, event }) => {
      if (event.type !== 'session.decided') return {};
      const decision = stepUp(event.state, event.call, event.decision);
      const pending = { call: event.call, decision, state: event.state, requestedAt: event.at };
      return {
        pending,
        deadlines: { ...context.deadlines, approval: event.at + context.timeouts.approvalMs },
      };
    }),
    announceApproval: emit(({ context, event }) => {
      const { call, decision, state, requestedAt } = context.pending!;
      const deadline = context.deadlines.approval ?? eventTime(event, context);
      const { callId, tool, argsDigest } = call;
      return {
        type: 'approval_requested',
        callId,
        tool,
        argsDigest,
        reason: decision.reason,
        state,
        deadline,
        at: requestedAt,
      };
    }),
    /** Answers the held call (an approver, or the approval deadline) and releases it. */
    settlePending: builtIns(({ context, event, enqueue }) => {
      const pending = context.pending;
      if (pending === null) return;
      const { callId, tool } = pending.call;
      const base = {
        type: 'decided',
        callId,
        tool,
        state: pending.state,
        at: eventTime(event, context),
      } as const;
      const { rule, policyVersion } = pending.decision;
      const why = pending.decision.reason;
      if (event.type === 'APPROVAL_GRANTED') {
        const reason = `approved by ${event.approver} (${why})`;
        enqueue.emit({ ...base, verdict: Verdict.Allow, reason, rule, policyVersion });
      } else {
        enqueue.emit({
          ...base,
          verdict: Verdict.Deny,
          reason: `${describeEvent(event, context)} (${why})`,
          rule,
        });
      }
      enqueue.assign({ pending: null });
    }),
    /** Leaving the approval state any other way (containment, kill) denies the held call. */
    abandonPending: builtIns(({ context, event, enqueue }) => {
      enqueue.cancel('approval');
      enqueue.assign({ pending: null, deadlines: { ...context.deadlines, approval: null } });
      if (context.pending === null) return;
      const { callId, tool } = context.pending.call;
      const reason = `the session's containment changed while the call awaited approval (${describeEvent(event, context)}); retry the call`;
      const at = eventTime(event, context);
      enqueue.emit({
        type: 'decided',
        callId,
        tool,
        verdict: Verdict.Deny,
        reason,
        state: context.pending.state,
        at,
      });
    }),
  },
});

export function initialContext({ input }: { input: SessionInput }): SessionContext {
  return initialSessionContext(input);
}
