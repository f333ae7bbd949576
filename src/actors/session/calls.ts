import type { SessionCall, SessionEmitted } from '../../../statecharts/index.js';
import type { Decision, McpCall } from '../../policy/index.js';
import type { ApprovalStatus } from '../control/index.js';

export type DecidedEvent = Extract<SessionEmitted, { type: 'decided' }>;

/** One call between the agent's request and the machine's verdict. */
export interface CallInFlight {
  readonly call: SessionCall;
  /** The request as the policy sees it. */
  readonly request: McpCall;
  /** `tools/call`: the tools the session token grants; a tool outside them is denied whatever policy says. */
  readonly tokenTools?: readonly string[];
  /** What the policy said (absent when the state denied it before the policy was asked). */
  decision?: Decision;
  /** Set once the call was held for approval; the outcome once someone or something answered. */
  approval?: { outcome?: ApprovalStatus };
}

/** The calls awaiting their `decided` event, by call id; the machine's hooks read them synchronously. */
export class CallsInFlight {
  readonly #calls = new Map<string, { flight: CallInFlight; settle: (event: DecidedEvent) => void }>();

  /** Registers the call and resolves with its verdict; register before sending `CALL` (it may decide at once). */
  open(flight: CallInFlight): Promise<DecidedEvent> {
    return new Promise((settle) => this.#calls.set(flight.call.callId, { flight, settle }));
  }

  get(callId: string): CallInFlight | undefined {
    return this.#calls.get(callId)?.flight;
  }

  settle(event: DecidedEvent): void {
    const entry = this.#calls.get(event.callId);
    if (!entry) return;
    this.#calls.delete(event.callId);
    entry.settle(event);
  }
}
