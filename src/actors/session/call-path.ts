import { randomUUID } from 'node:crypto';
import type { SessionCommand } from '../../../statecharts/index.js';
import { AuditOutcome } from '../../audit/index.js';
import type { Clock } from '../../clock.js';
import type { MeshIdentity } from '../../pki/signer/index.js';
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
import { CallTrace, TOOL_ERROR } from '../../telemetry/index.js';
import { argsDigest, CapabilityMethod, mintCapability } from '../capability/index.js';
import type { ObservedCall } from './behaviour.js';
import { BROKER_UNREACHABLE, type BrokerClient, BrokerRefusal } from './broker-client.js';
import type { AuditedCall, AuditedVerdict, SessionAuditTrail } from './call-audit.js';
import type { CallInFlight, CallsInFlight, DecidedEvent } from './calls.js';
import { auditRefusedError, type DenialData, denialError, toolFailedError } from './denial.js';
import { CallRefusedError } from './errors.js';
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
  /** `tools/call`: the tools its session token grants, an upper bound on what policy may allow. */
  readonly tokenTools?: readonly string[];
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
  /** The node's certificate and key: every capability is signed with it. */
  readonly signer: MeshIdentity;
  readonly capabilityTtlMs: number;
  readonly clock: Clock;
  /** Every decided call is recorded; an allowed one runs only once its record is durable. */
  readonly audit: SessionAuditTrail;
  /** Failures no caller hears of (a refused call whose record could not be written). */
  readonly report: (err: unknown) => void;
  /** What became of each call (denied, or run and its result), for the behaviour monitor. */
  readonly observe: (observed: ObservedCall) => void;
  /** Writes the session's snapshot; rejects when this node no longer hosts the session. */
  readonly persist: () => Promise<void>;
}

/** One allowed call on its way to the broker, as the call path and its audit records know it. */
interface AllowedCall {
  readonly request: MediatedRequest;
  readonly callId: string;
  readonly decision: Decision;
  readonly audited: AuditedCall;
  readonly verdict: AuditedVerdict;
  readonly startedAt: number;
  readonly traced: CallTrace;
}

/**
 * The zero-trust call path: the machine decides (in its current state, with the current history), the
 * decision is recorded durably, an allowed call gets a capability bound to exactly the arguments
 * forwarded, the broker runs it, and its bytes and outcome are accounted before the result goes back.
 */
export class CallPath {
  readonly #deps: CallPathDeps;
  #running = 0;

  constructor(deps: CallPathDeps) {
    this.#deps = deps;
  }

  /** Calls between their arrival and their answer: a session with any is not idle. */
  get running(): number {
    return this.#running;
  }

  async mediate(request: MediatedRequest): Promise<Record<string, unknown>> {
    this.#running++;
    const traced = new CallTrace(this.#deps.sid, request.key);
    try {
      const result = await this.#mediate(request, traced);
      traced.end(result.isError === true ? TOOL_ERROR : undefined);
      return result;
    } catch (err) {
      traced.end(errorType(err));
      throw err;
    } finally {
      this.#running--;
    }
  }

  async #mediate(request: MediatedRequest, traced: CallTrace): Promise<Record<string, unknown>> {
    const { calls, send, clock, audit, policy } = this.#deps;
    const startedAt = clock();
    const call = {
      callId: randomUUID(),
      tool: request.key,
      effect: request.effect,
      argsDigest: argsDigest(request.args).toString('hex'),
    };
    const flight: CallInFlight = {
      call,
      request: request.policyCall,
      ...(request.tokenTools ? { tokenTools: request.tokenTools } : {}),
    };
    const decided = calls.open(flight);
    traced.deciding(() => send({ type: 'CALL', call, at: clock() }));
    const verdict = await decided;
    const { rule: decidingRule, policyVersion, state } = verdict;
    const audited: AuditedCall = {
      callId: call.callId,
      tool: request.key,
      args: request.args,
      bytesIn: request.policyCall.bytesIn ?? 0,
    };
    if (verdict.verdict !== Verdict.Allow || !flight.decision) {
      const denial = denialError(verdict, flight);
      const { reason, rule } = denial.data as DenialData;
      traced.decided({ verdict: verdict.verdict, denialReason: reason, rule, policyVersion, state });
      const denied = {
        ...auditedVerdict(verdict, flight, policy()),
        reason: `${reason}: ${verdict.reason}`,
        rule,
      };
      const done = { outcome: AuditOutcome.Denied, bytesOut: 0, latencyMs: clock() - startedAt };
      // Refused either way; a record that cannot be written is the operator's to hear about.
      await audit.record(audited, denied, done).catch(this.#deps.report);
      this.#deps.observe({ ...audited, verdict: Verdict.Deny, bytesOut: 0 });
      throw denial;
    }
    traced.decided({ verdict: verdict.verdict, rule: decidingRule, policyVersion, state });
    const decision = flight.decision;
    const allowed = { request, callId: call.callId, decision, audited, startedAt, traced };
    const observed = { ...audited, verdict: Verdict.Allow };
    const result = await this.#run({ ...allowed, verdict: auditedVerdict(verdict, flight, policy()) }).catch(
      (err: unknown) => {
        this.#deps.observe({ ...observed, bytesOut: 0 });
        throw err;
      },
    );
    this.#deps.observe({ ...observed, bytesOut: jsonBytes(result), result });
    return result;
  }

  async #run(allowed: AllowedCall): Promise<Record<string, unknown>> {
    const { request, callId, decision } = allowed;
    const { sid, policy, usage, brokers, clock, capabilityTtlMs, persist, signer } = this.#deps;
    if (!FORWARDED.has(request.method)) {
      const why = `brokers forward only ${[...FORWARDED].join(', ')}; ${request.method} has no capability to carry it`;
      this.#recordResult(allowed, AuditOutcome.Error, 0);
      throw toolFailedError(request.key, why);
    }
    try {
      await this.#recordDecision(allowed);
    } catch (err) {
      this.#deps.report(err);
      throw auditRefusedError(request.key, allowed.verdict);
    }
    const { args, params } = brokerArgs(policy(), request, decision);
    const capability = mintCapability(
      signer,
      {
        sid,
        server: request.server,
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
    // The fence: a node that lost the session (lease lapsed, taken over) must not run anything.
    if (
      !(await persist().then(
        () => true,
        () => false,
      ))
    ) {
      this.#recordResult(allowed, AuditOutcome.Error, 0);
      throw toolFailedError(
        request.key,
        'the session moved to another node before it ran; nothing ran, send it again',
      );
    }
    let result: Record<string, unknown>;
    try {
      result = await allowed.traced.broker(request.server, request.method, () =>
        brokers.call(request.server, { capability, method: request.method as CapabilityMethod, params }),
      );
    } catch (err) {
      usage.set(recordCall(usage.get().history, usage.get().counters, recorded, { ok: false }, clock));
      await persist().catch(() => {});
      const refusal = err instanceof BrokerRefusal ? err : undefined;
      // A broker that did not answer may still have run the call.
      const timedOut = refusal === undefined || refusal.code === BROKER_UNREACHABLE;
      this.#recordResult(allowed, timedOut ? AuditOutcome.Unknown : AuditOutcome.Error, 0);
      throw toolFailedError(
        request.key,
        refusal ? `${refusal.message} (${refusal.code})` : 'the broker failed',
      );
    }
    const ok = result.isError !== true;
    const bytesOut = jsonBytes(result);
    const { history, counters } = usage.get();
    usage.set(recordCall(history, counters, recorded, { ok, bytesOut }, clock));
    // The call ran: its result goes back even if this write fails (the node reports that failure).
    await persist().catch(() => {});
    this.#recordResult(allowed, ok ? AuditOutcome.Ok : AuditOutcome.Error, bytesOut);
    return result;
  }

  /** An allowed call's record (outcome `unknown`, it has not run): durable before anything runs. */
  #recordDecision(allowed: AllowedCall): Promise<void> {
    return this.#record(allowed, AuditOutcome.Unknown, 0);
  }

  /**
   * An allowed call's result record. The agent does not wait for its sync: the decision record is
   * what makes the call safe to run. It is chained at once, before any later record of the session;
   * a write that fails is reported, and the failed log refuses the next call.
   */
  #recordResult(allowed: AllowedCall, outcome: AuditOutcome, bytesOut: number): void {
    this.#record(allowed, outcome, bytesOut).catch(this.#deps.report);
  }

  #record(allowed: AllowedCall, outcome: AuditOutcome, bytesOut: number): Promise<void> {
    const latencyMs = this.#deps.clock() - allowed.startedAt;
    return this.#deps.audit.record(allowed.audited, allowed.verdict, { outcome, bytesOut, latencyMs });
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

/** The verdict as recorded: a call that waited for an approver is `needs_approval`, whatever the answer. */
function auditedVerdict(event: DecidedEvent, flight: CallInFlight, bundle: PolicyBundle): AuditedVerdict {
  return {
    decision: flight.approval ? Verdict.NeedsApproval : event.verdict,
    reason: event.reason,
    rule: event.rule ?? flight.decision?.rule ?? null,
    // A call the state refused never asked the policy; the version in force is the one it would have.
    policyVersion: event.policyVersion ?? flight.decision?.policyVersion ?? bundle.version,
    state: event.state,
  };
}

/** `error.type` of a call that failed: a denial's reason code, or the JSON-RPC code it failed with. */
function errorType(err: unknown): string {
  if (err instanceof CallRefusedError) {
    const reason = (err.data as Partial<DenialData> | undefined)?.reason;
    return reason ?? String(err.code);
  }
  return 'error';
}
