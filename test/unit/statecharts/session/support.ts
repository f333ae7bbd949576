import type { InspectionEvent, SnapshotFrom } from 'xstate';
import { createActor, initialTransition, SimulatedClock, transition } from 'xstate';
import type { Effect } from '../../../../src/policy/vocabulary.js';
import type {
  CallDecision,
  DecideCallInput,
  RiskAssessment,
  SessionCall,
  SessionCommand,
  SessionEmitted,
  SessionInput,
} from '../../../../statecharts/session/index.js';
import { sessionStatus, withDecisionPoint } from '../../../../statecharts/session/index.js';

export const T0 = 1_000_000;
export const TTL_MS = 3_600_000;

export const INPUT: SessionInput = {
  sessionId: 'sess-1',
  now: T0,
  expiresAt: T0 + TTL_MS,
  timeouts: { approvalMs: 60_000, reauthMs: 120_000, quietMs: 300_000 },
};

/** The test policy: verdicts by tool; `risk` gives some calls their own risk score. */
const VERDICTS: Readonly<Record<string, CallDecision>> = {
  'fs.read': { verdict: 'allow', reason: 'rule read-src allows fs.read', rule: 'read-src' },
  'fs.write': { verdict: 'allow', reason: 'rule write-tmp allows fs.write', rule: 'write-tmp' },
  'gh.merge': {
    verdict: 'needs_approval',
    reason: 'rule merge-needs-approval',
    rule: 'merge-needs-approval',
  },
  'fs.env': { verdict: 'deny', reason: 'rule no-dotenv excludes .env', rule: 'no-dotenv' },
};

export interface TestPolicy {
  readonly machine: ReturnType<typeof withDecisionPoint>;
  /** Every decideCall input, in order. */
  readonly asked: DecideCallInput[];
}

export function testPolicy(risk: Readonly<Record<string, RiskAssessment>> = {}): TestPolicy {
  const asked: DecideCallInput[] = [];
  const machine = withDecisionPoint({
    assessCall: ({ call }) => risk[call.callId],
    decideCall: (input) => {
      asked.push(input);
      return VERDICTS[input.call.tool] ?? { verdict: 'deny', reason: `no rule grants ${input.call.tool}` };
    },
  });
  return { machine, asked };
}

const EFFECTS: Readonly<Record<string, Effect>> = {
  'fs.read': 'read',
  'fs.write': 'write',
  'gh.merge': 'admin',
  'fs.env': 'read',
};

export function call(callId: string, tool: string, at = T0 + 1): SessionCommand {
  const effect = EFFECTS[tool] ?? 'read';
  const c: SessionCall = { callId, tool, effect, argsDigest: `sha256:${callId}` };
  return { type: 'CALL', call: c, at };
}

export type Snapshot = SnapshotFrom<TestPolicy['machine']>;

interface ExecutableLike {
  readonly type: string;
  readonly params?: unknown;
}

export function emittedBy(actions: readonly ExecutableLike[]): SessionEmitted[] {
  return actions
    .filter((a) => a.type === 'xstate.emit')
    .map((a) => (a.params as { event: SessionEmitted }).event);
}

export function decisions(actions: readonly ExecutableLike[]) {
  return emittedBy(actions).filter((e) => e.type === 'decided');
}

/** Runs events through the pure transition function, collecting everything emitted on the way. */
export function run(policy: TestPolicy, events: readonly SessionCommand[], from?: Snapshot, input = INPUT) {
  let [snapshot, actions] = from ? [from, []] : initialTransition(policy.machine, input);
  const emitted = emittedBy(actions);
  for (const event of events) {
    [snapshot, actions] = transition(policy.machine, snapshot, event);
    emitted.push(...emittedBy(actions));
  }
  return { snapshot, emitted, status: sessionStatus(snapshot.value) };
}

/** A snapshot in the given state, reached the ordinary way. */
export function snapshotIn(policy: TestPolicy, status: string): Snapshot {
  const at = T0 + 10;
  const op = { operator: 'oncall', reason: 'test setup', at };
  const route: Record<string, SessionCommand[]> = {
    active: [],
    scrutinised: [{ type: 'OPERATOR_SCRUTINISE', ...op }],
    readOnly: [{ type: 'OPERATOR_READONLY', ...op }],
    suspended: [{ type: 'OPERATOR_SUSPEND', ...op }],
    reauth: [{ type: 'RESTORED', at: T0 + TTL_MS }],
    terminated: [{ type: 'OPERATOR_KILL', ...op }],
  };
  const events = route[status];
  if (!events) throw new Error(`no route to ${status}`);
  return run(policy, events).snapshot;
}

type Unstamped<E> = E extends unknown ? Omit<E, 'at'> : never;

/** A live actor on a simulated clock; `send` stamps events with the clock's time, as the session actor will. */
export function live(policy: TestPolicy, options: { inspect?: (event: InspectionEvent) => void } = {}) {
  const clock = new SimulatedClock();
  clock.set(T0);
  const actor = createActor(policy.machine, { clock, input: INPUT, ...options });
  const emitted: SessionEmitted[] = [];
  actor.on('*', (event) => emitted.push(event));
  actor.start();
  const send = (event: Unstamped<SessionCommand>) =>
    actor.send({ ...event, at: clock.now() } as SessionCommand);
  const status = () => sessionStatus(actor.getSnapshot().value);
  return { actor, clock, emitted, send, status };
}
