import { randomUUID } from 'node:crypto';
import type { SessionCommand } from '../../../statecharts/index.js';
import type { Clock } from '../../clock.js';
import {
  type CallHistory,
  type Decision,
  type Effect,
  type McpCall,
  type PolicyBundle,
  rateWindowDepth,
  recordCall,
  type SessionCounters,
  Verdict,
} from '../../policy/index.js';
import {
  argsDigest,
  type CapabilityKey,
  CapabilityMethod,
  deriveCapabilityKey,
  mintCapability,
} from '../capability/index.js';
import { type BrokerClient, BrokerRefusal } from './broker-client.js';
import type { CallInFlight, CallsInFlight } from './calls.js';
import { denialError, toolFailedError } from './denial.js';
import { forwardedArgs, jsonBytes } from './forward.js';

const FORWARDED: ReadonlySet<string> = new Set(Object.values(CapabilityMethod));

/** One request the agent made that reaches a server if policy allows it. */
export interface MediatedRequest {
  /** The `CapabilityMethod`s reach a broker; other methods are only decided. */
  readonly method: string;
  readonly server: string;
  /** Tool or prompt name, or resource URI. */
  readonly name: string;
  /** `server.tool` or `server.method`: the key policy, history and counters use. */
  readonly key: string;
  readonly effect: Effect;
  /** Tool or prompt arguments, or the method's params. */
  readonly args: Record<string, unknown>;
  /** The request as policy sees it. */
  readonly policyCall: McpCall;
}

export interface Usage {
  readonly history: CallHistory;
  readonly counters: SessionCounters;
}

export interface CallPathDeps {
  readonly sid: string;
  readonly calls: CallsInFlight;
  readonly send: (event: SessionCommand) => void;
  readonly policy: () => PolicyBundle;
  readonly usage: { get(): Usage; set(next: Usage): void };
  readonly brokers: BrokerClient;
  readonly meshSecret: Uint8Array;
  readonly capabilityTtlMs: number;
  readonly clock: Clock;
}

/**
 * The zero-trust call path: the machine decides (in its current state, with the current history), an
 * allowed call gets a capability bound to exactly the arguments forwarded, the broker runs it, and
 * its bytes are accounted before the result goes back.
 */
export class CallPath {
  readonly #deps: CallPathDeps;
  readonly #keys = new Map<string, CapabilityKey>();

  constructor(deps: CallPathDeps) {
    this.#deps = deps;
  }

  async mediate(request: MediatedRequest): Promise<Record<string, unknown>> {
    const { calls, send, clock } = this.#deps;
    const call = {
      callId: randomUUID(),
      tool: request.key,
      effect: request.effect,
      argsDigest: argsDigest(request.args).toString('hex'),
    };
    const flight: CallInFlight = { call, request: request.policyCall };
    const decided = calls.open(flight);
    send({ type: 'CALL', call, at: clock() });
    const verdict = await decided;
    if (verdict.verdict !== Verdict.Allow || !flight.decision) throw denialError(verdict, flight);
    return this.#run(request, call.callId, flight.decision);
  }

  async #run(request: MediatedRequest, callId: string, decision: Decision): Promise<Record<string, unknown>> {
    const { sid, policy, usage, brokers, clock, capabilityTtlMs } = this.#deps;
    if (!FORWARDED.has(request.method)) {
      throw toolFailedError(
        request.key,
        `brokers forward only ${[...FORWARDED].join(', ')}; ${request.method} has no capability to carry it`,
      );
    }
    const { args, params } = brokerArgs(policy(), request, decision);
    const capability = mintCapability(
      this.#key(request.server),
      {
        sid,
        method: request.method as CapabilityMethod,
        tool: request.name,
        args,
        policyVersion: decision.policyVersion,
        callId,
        ttlMs: capabilityTtlMs,
      },
      clock,
    );
    const recorded = {
      key: request.key,
      resource: decision.resource,
      bytesIn: request.policyCall.bytesIn,
      keepRecent: rateWindowDepth(policy()),
    };
    let result: Record<string, unknown>;
    try {
      result = await brokers.call(request.server, {
        capability,
        method: request.method as CapabilityMethod,
        params,
      });
    } catch (err) {
      usage.set(recordCall(usage.get().history, usage.get().counters, recorded, { ok: false }, clock));
      const why = err instanceof BrokerRefusal ? `${err.message} (${err.code})` : 'the broker failed';
      throw toolFailedError(request.key, why);
    }
    const ok = result.isError !== true;
    const { history, counters } = usage.get();
    usage.set(recordCall(history, counters, recorded, { ok, bytesOut: jsonBytes(result) }, clock));
    return result;
  }

  #key(server: string): CapabilityKey {
    let key = this.#keys.get(server);
    if (!key) {
      key = deriveCapabilityKey(this.#deps.meshSecret, server);
      this.#keys.set(server, key);
    }
    return key;
  }
}

/**
 * What the capability binds and what the broker receives: tools get the canonicalised arguments, prompts
 * their arguments, resources the URI alone (the broker binds `resources/read` to `{}` and the URI), lists
 * nothing (the broker binds them to `{}` and the method).
 */
function brokerArgs(
  bundle: PolicyBundle,
  request: MediatedRequest,
  decision: Decision,
): { args: Record<string, unknown>; params: Record<string, unknown> } {
  const name = `${request.server}.${request.name}`;
  switch (request.method) {
    case CapabilityMethod.ToolsCall: {
      const args = forwardedArgs(bundle, request.key, request.args, decision);
      return { args, params: { name, arguments: args } };
    }
    case CapabilityMethod.PromptsGet: {
      const args = (request.args.arguments ?? {}) as Record<string, unknown>;
      return { args, params: { name, arguments: args } };
    }
    case CapabilityMethod.ResourcesRead:
      return { args: {}, params: { uri: request.name } };
    default:
      // The list methods: the broker lists every page itself, so nothing of the agent's is forwarded.
      return { args: {}, params: {} };
  }
}
