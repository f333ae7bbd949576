import type { Effect, SessionState, Verdict } from '../vocabulary.js';
import type { ReasonCode } from './reasons.js';

/** Usage of a session or of one tool: plain data, so the session actor can persist it in its snapshot. */
export interface Usage {
  readonly calls: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Ascending start times (epoch ms) of calls in the last minute; older ones are pruned. */
  readonly recent: readonly number[];
}

export interface SessionCounters {
  readonly session: Usage;
  /** Keyed `server.tool` or `server.method`. */
  readonly tools: Readonly<Record<string, Usage>>;
}

/** What succeeded so far, per `server.tool`: the count, and the canonical resources it succeeded on. */
export interface ToolHistory {
  readonly succeeded: number;
  /** Most recent last; bounded (the oldest are dropped, which can only make `requires` deny). */
  readonly resources: readonly string[];
}

export type CallHistory = Readonly<Record<string, ToolHistory>>;

/** One MCP request as the session sees it. `args` are `tools/call` arguments or the method's params. */
export interface McpCall {
  readonly method: string;
  readonly server?: string;
  readonly tool?: string;
  readonly args?: unknown;
  /** Size of the request body, counted against `bytesIn` limits. */
  readonly bytesIn?: number;
}

export interface DecisionInput {
  readonly purpose: string;
  readonly principal: string;
  readonly state: SessionState;
  /** Epoch ms the session started: the ttl runs from here. */
  readonly sessionStartedAt: number;
  readonly history: CallHistory;
  readonly counters: SessionCounters;
  readonly call: McpCall;
}

export interface Decision {
  readonly verdict: Verdict;
  readonly reason: ReasonCode;
  /** `file:line` of the rule that decided, or `default` when nothing matched. */
  readonly rule: string;
  readonly policyVersion: string;
  /** The canonical resource the call acts on, when it has one. */
  readonly resource?: string;
  readonly effect?: Effect;
  /** Why a resource or argument was refused, for people. */
  readonly detail?: string;
}

export const EMPTY_USAGE: Usage = { calls: 0, bytesIn: 0, bytesOut: 0, recent: [] };
export const EMPTY_COUNTERS: SessionCounters = { session: EMPTY_USAGE, tools: {} };
export const EMPTY_HISTORY: CallHistory = {};
