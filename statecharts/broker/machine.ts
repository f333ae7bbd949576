import type { SnapshotFrom } from 'xstate';
import { assign, setup } from 'xstate';
import type { BrokerContext, BrokerInput } from './context.js';
import { backoffDelay, initialBrokerContext } from './context.js';
import type { BrokerEvent } from './events.js';

/** The broker statechart: a server is called only while `ready`; changed definitions quarantine it. */
export const brokerMachine = setup({
  types: {
    context: {} as BrokerContext,
    events: {} as BrokerEvent,
    input: {} as BrokerInput,
  },
  delays: {
    retryBackoff: ({ context }) => backoffDelay(context.attempt, context.retry, Math.random()),
    drainTimeout: ({ context }) => context.drainTimeoutMs,
  },
  guards: {
    retriesExhausted: ({ context }) => context.attempt >= context.retry.maxAttempts,
    quarantineStands: ({ context }) => context.quarantine !== null,
  },
  actions: {
    countFailure: assign(({ context, event }) => ({
      attempt: context.attempt + 1,
      lastError: 'error' in event ? event.error : context.lastError,
    })),
    resetAttempts: assign({ attempt: 0, lastError: null }),
    quarantine: assign({
      quarantine: ({ context, event }) => {
        if (event.type === 'TOOLS_CHANGED') return { kind: 'tools_changed', diff: event.diff };
        if (event.type === 'INJECTION_FLAGGED') {
          return { kind: 'injection_flagged', tool: event.tool, markers: event.markers };
        }
        return context.quarantine;
      },
    }),
    repin: assign({ quarantine: null }),
  },
}).createMachine({
  id: 'broker',
  context: ({ input }) => initialBrokerContext(input),
  initial: 'connecting',
  states: {
    connecting: {
      on: {
        // A quarantine survives a reconnect: only an operator lifts it, even if the server reverted.
        CONNECTED: [
          { guard: 'quarantineStands', target: 'quarantined', actions: 'resetAttempts' },
          { target: 'ready', actions: 'resetAttempts' },
        ],
        CONNECT_FAILED: { target: 'failed', actions: 'countFailure' },
        TOOLS_CHANGED: { target: 'quarantined', actions: ['resetAttempts', 'quarantine'] },
        INJECTION_FLAGGED: { target: 'quarantined', actions: ['resetAttempts', 'quarantine'] },
        DRAIN: 'draining',
      },
    },
    ready: {
      on: {
        TOOLS_CHANGED: { target: 'quarantined', actions: 'quarantine' },
        INJECTION_FLAGGED: { target: 'quarantined', actions: 'quarantine' },
        SERVER_EXITED: { target: 'failed', actions: 'countFailure' },
        DRAIN: 'draining',
      },
    },
    quarantined: {
      on: {
        OPERATOR_APPROVE: { target: 'ready', actions: 'repin' },
        TOOLS_CHANGED: { actions: 'quarantine' },
        INJECTION_FLAGGED: { actions: 'quarantine' },
        SERVER_EXITED: { target: 'failed', actions: 'countFailure' },
        DRAIN: 'draining',
      },
    },
    failed: {
      initial: 'retrying',
      states: {
        retrying: {
          always: { guard: 'retriesExhausted', target: 'exhausted' },
          after: { retryBackoff: '#broker.connecting' },
        },
        exhausted: {},
      },
      on: {
        OPERATOR_RETRY: { target: 'connecting', actions: 'resetAttempts' },
        DRAIN: 'draining',
      },
    },
    draining: {
      after: { drainTimeout: 'stopped' },
      on: { DRAINED: 'stopped', SERVER_EXITED: 'stopped' },
    },
    stopped: { type: 'final' },
  },
});

/** The broker machine with its backoff jitter drawn from `random` (in [0, 1)), for deterministic schedules. */
export function withRandom(random: () => number, machine = brokerMachine): typeof brokerMachine {
  return machine.provide({
    delays: { retryBackoff: ({ context }) => backoffDelay(context.attempt, context.retry, random()) },
  });
}

/** Calls reach the server only while the broker is `ready`. */
export function acceptsCalls(state: SnapshotFrom<typeof brokerMachine>['value']): boolean {
  return state === 'ready';
}
