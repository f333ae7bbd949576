import { SessionState } from '../../src/policy/vocabulary.js';
import type { DecidingState, OperatorEventType, SessionStatus, SessionTimer } from './events.js';
import { initialContext, sessionSetup } from './setup.js';

const OPERATOR_TARGETS: Readonly<Record<OperatorEventType, SessionStatus>> = {
  OPERATOR_RESUME: SessionState.Active,
  OPERATOR_SCRUTINISE: SessionState.Scrutinised,
  OPERATOR_READONLY: SessionState.ReadOnly,
  OPERATOR_SUSPEND: SessionState.Suspended,
  OPERATOR_KILL: 'terminated',
};

/** Operators may move a session anywhere; a command for the state it is already in changes nothing. */
function operatorTransitions(from: SessionStatus): Partial<Record<OperatorEventType, SessionStatus>> {
  return Object.fromEntries(Object.entries(OPERATOR_TARGETS).filter(([, to]) => to !== from));
}

const due = (timer: SessionTimer) => ({ type: 'timerDue', params: { timer } }) as const;
const arm = (timer: SessionTimer) => ({ type: 'armTimer', params: { timer } }) as const;
const restartQuiet = [{ type: 'startTimer', params: { timer: 'quiet' } }, arm('quiet')] as const;
const ttlExpiry = { guard: due('ttl'), target: SessionState.Reauth } as const;
const deny = (state: SessionState) => ({ actions: { type: 'denyByState', params: { state } } }) as const;

function riskTo(level: typeof SessionState.ReadOnly | typeof SessionState.Suspended) {
  return { guard: { type: 'riskReaches', params: { level } }, target: level, actions: 'noteRisk' } as const;
}

/**
 * The states that ask the policy. Each holds at most one privileged call in `awaitingApproval`; other calls
 * are decided meanwhile, and leaving the state (any containment) denies the held call.
 */
function deciding(state: DecidingState) {
  return {
    initial: 'idle',
    entry: [{ type: 'record', params: { to: state } }, arm('ttl')],
    on: {
      'session.decide': [
        { guard: { type: 'floored', params: { state } }, ...deny(state) },
        { actions: { type: 'decideCall', params: { state } } },
      ],
      'session.decided': { actions: 'emitDecision' },
      SIGNAL: SessionState.Suspended,
      ...operatorTransitions(state),
    },
    states: {
      idle: {
        on: {
          'session.decided': {
            guard: 'needsApproval',
            target: 'awaitingApproval',
            actions: 'holdForApproval',
          },
        },
      },
      awaitingApproval: {
        entry: [arm('approval'), 'announceApproval'],
        exit: 'abandonPending',
        always: { guard: 'approvalSettled', target: 'idle' },
        on: {
          APPROVAL_GRANTED: { guard: 'answersPending', actions: 'settlePending' },
          APPROVAL_DENIED: { guard: 'answersPending', actions: 'settlePending' },
          'session.timeout': { guard: due('approval'), actions: 'settlePending' },
        },
      },
    },
  } as const;
}

const active = deciding(SessionState.Active);
const scrutinised = deciding(SessionState.Scrutinised);
const readOnly = deciding(SessionState.ReadOnly);

/** The session statechart of DESIGN.md, "The session statechart". Provide `assessCall` and `decideCall`. */
export const sessionMachine = sessionSetup.createMachine({
  id: 'session',
  context: initialContext,
  initial: SessionState.Active,
  on: {
    // The call's own risk is applied first, so a call that crosses a threshold is decided in the new state.
    CALL: { actions: ['fireOverdue', 'assessCall', 'requestDecision'] },
    RESTORED: { actions: [arm('ttl'), arm('quiet'), arm('reauth'), arm('approval')] },
  },
  states: {
    active: {
      ...active,
      on: {
        ...active.on,
        RISK: [
          riskTo(SessionState.Suspended),
          riskTo(SessionState.ReadOnly),
          {
            guard: { type: 'riskReaches', params: { level: SessionState.Scrutinised } },
            target: SessionState.Scrutinised,
            actions: 'noteRisk',
          },
          { actions: 'noteRisk' },
        ],
        'session.timeout': ttlExpiry,
      },
    },
    scrutinised: {
      ...scrutinised,
      entry: [...scrutinised.entry, ...restartQuiet],
      exit: { type: 'stopTimer', params: { timer: 'quiet' } },
      on: {
        ...scrutinised.on,
        RISK: [
          riskTo(SessionState.Suspended),
          riskTo(SessionState.ReadOnly),
          { guard: 'riskBelowDecay', target: SessionState.Active, actions: 'noteRisk' },
          { actions: ['noteRisk', ...restartQuiet] },
        ],
        'session.timeout': [ttlExpiry, { guard: due('quiet'), target: SessionState.Active }],
      },
    },
    readOnly: {
      ...readOnly,
      on: {
        ...readOnly.on,
        RISK: [riskTo(SessionState.Suspended), { actions: 'noteRisk' }],
        'session.timeout': ttlExpiry,
      },
    },
    reauth: {
      entry: [
        'rememberResume',
        { type: 'record', params: { to: SessionState.Reauth } },
        { type: 'startTimer', params: { timer: 'reauth' } },
        arm('reauth'),
      ],
      exit: { type: 'stopTimer', params: { timer: 'reauth' } },
      on: {
        CALL: deny(SessionState.Reauth),
        'session.decide': deny(SessionState.Reauth),
        REAUTH_OK: [
          { guard: 'staleExpiry' },
          { guard: 'resumesScrutinised', target: SessionState.Scrutinised, actions: 'setExpiry' },
          { target: SessionState.Active, actions: 'setExpiry' },
        ],
        REAUTH_FAILED: SessionState.Suspended,
        RISK: [
          riskTo(SessionState.Suspended),
          {
            guard: { type: 'riskReaches', params: { level: SessionState.Scrutinised } },
            actions: ['noteRisk', 'resumeScrutinised'],
          },
          { actions: 'noteRisk' },
        ],
        SIGNAL: SessionState.Suspended,
        'session.timeout': { guard: due('reauth'), target: SessionState.Suspended },
        ...operatorTransitions(SessionState.Reauth),
      },
    },
    suspended: {
      entry: { type: 'record', params: { to: SessionState.Suspended } },
      on: {
        CALL: deny(SessionState.Suspended),
        'session.decide': deny(SessionState.Suspended),
        RISK: { actions: 'noteRisk' },
        ...operatorTransitions(SessionState.Suspended),
      },
    },
    terminated: {
      type: 'final',
      entry: { type: 'record', params: { to: 'terminated' } },
    },
  },
  output: ({ context }) => ({ sessionId: context.sessionId, history: context.history }),
});
