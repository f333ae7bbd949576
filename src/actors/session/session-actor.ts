import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { type Actor, createActor } from 'xstate';
import {
  type RiskAssessment,
  type SessionCommand,
  type SessionEmitted,
  type SessionStatus,
  type sessionMachine,
  sessionStatus,
  type TransitionRecord,
  withDecisionPoint,
} from '../../../statecharts/index.js';
import type { PolicyBundle } from '../../policy/index.js';
import { sessionInspector } from '../../telemetry/index.js';
import { importVerifyingKey, KeyRing, NatsServerTransport } from '../../transport/index.js';
import {
  type ApprovalAnswer,
  type ApprovalRecord,
  ApprovalStatus,
  ControlError,
  ControlErrorCode,
  controlSubjects,
  type OperatorRequest,
  type SessionInspection,
  type SessionSummary,
  SessionVerb,
} from '../control/index.js';
import type { SessionMonitor } from '../monitor/index.js';
import { ApprovalDesk } from './approvals.js';
import { isAuthFailure, type ObservedCall, observeCall, sessionMonitor } from './behaviour.js';
import { BrokerClient } from './broker-client.js';
import { SessionAuditTrail } from './call-audit.js';
import { CallPath, type Usage } from './call-path.js';
import { CallsInFlight, type DecidedEvent } from './calls.js';
import { sessionDecisionPoint } from './decision-point.js';
import { SessionActorError, SessionErrorCode } from './errors.js';
import { inspection } from './inspection.js';
import { registerMcpHandlers } from './mcp-handlers.js';
import { type ParsedSessionOptions, parseSessionOptions, type SessionActorOptions } from './options.js';
import type { SessionSnapshot } from './snapshot.js';
import { TOKEN_RULE, TokenGate } from './token-gate.js';
import { grantedServers, methodServers, toolsSignature, visibleTools } from './tool-view.js';

/** Containment verbs and the statechart command each sends. */
export const OPERATOR_EVENTS = {
  [SessionVerb.Suspend]: 'OPERATOR_SUSPEND',
  [SessionVerb.Resume]: 'OPERATOR_RESUME',
  [SessionVerb.ReadOnly]: 'OPERATOR_READONLY',
  [SessionVerb.Scrutinise]: 'OPERATOR_SCRUTINISE',
  [SessionVerb.Kill]: 'OPERATOR_KILL',
} as const satisfies Record<string, OperatorEventType>;
export type ContainmentVerb = keyof typeof OPERATOR_EVENTS;

type OperatorEventType = Extract<SessionCommand['type'], `OPERATOR_${string}`>;
type ApprovalRequested = Extract<SessionEmitted, { type: 'approval_requested' }>;

/**
 * One agent session: to the agent one MCP server on its own subjects; inside, the session statechart
 * deciding every call, brokers running the allowed ones, operators steering it from the control plane.
 */
export class SessionActor {
  readonly sid: string;
  readonly #options: ParsedSessionOptions;
  readonly #calls = new CallsInFlight();
  readonly #actor: Actor<typeof sessionMachine>;
  readonly #server: Server;
  readonly #desk: ApprovalDesk;
  readonly #brokers: BrokerClient;
  readonly #path: CallPath;
  #lastRequestAt: number;
  readonly #audit: SessionAuditTrail;
  readonly #catalogues = new Map<string, readonly Tool[]>();
  /** jti of every session token this session accepted: what suspend and kill revoke. */
  readonly #tokenIds = new Set<string>();
  readonly #monitor: SessionMonitor;
  #policy: PolicyBundle;
  #usage: Usage;
  /** Signature of the tool list the agent last saw; `list_changed` goes out when it would differ. */
  #advertised: string | undefined;
  /** Re-listings after broker changes, one at a time, so an older answer never lands last. */
  #relisting: Promise<void> = Promise.resolve();
  #closing: Promise<void> | undefined;
  /** The operator's answer while it is being delivered to the machine, and the record it settled. */
  #answer: { callId: string; outcome: ApprovalStatus; request: ApprovalAnswer } | undefined;
  #settled: ApprovalRecord | undefined;

  /** Starts the actor and serves the session on its subjects. */
  static async start(options: SessionActorOptions): Promise<SessionActor> {
    const actor = new SessionActor(parseSessionOptions(options));
    await actor.#serve();
    return actor;
  }

  private constructor(options: ParsedSessionOptions) {
    this.#options = options;
    const { descriptor, clock, snapshot } = options;
    this.#lastRequestAt = clock();
    this.sid = descriptor.sid;
    this.#policy = options.policy;
    this.#usage = snapshot
      ? { history: snapshot.history, counters: snapshot.counters }
      : { history: {}, counters: { session: { calls: 0, bytesIn: 0, bytesOut: 0, recent: [] }, tools: {} } };
    this.#monitor = sessionMonitor(options.behaviour, descriptor, clock, snapshot?.monitor);
    this.#brokers = new BrokerClient(options.nc, options.prefix, options.brokerTimeoutMs, options.trust);
    this.#audit = new SessionAuditTrail(
      options.audit,
      descriptor,
      (tool) => this.#policy.catalogue.get(tool)?.audit,
    );
    this.#desk = new ApprovalDesk({
      nc: options.nc,
      kv: options.approvals,
      subjects: controlSubjects(options.prefix),
      descriptor,
      clock,
      report: options.report,
    });
    const machine = withDecisionPoint(
      sessionDecisionPoint({
        descriptor,
        calls: this.#calls,
        policy: () => this.#policy,
        usage: () => this.#usage,
        clock,
        resolver: options.resolver,
        monitor: this.#monitor,
      }),
    );
    const input = {
      sessionId: descriptor.sid,
      now: clock(),
      expiresAt: descriptor.expiresAt,
      timeouts: options.timeouts,
      thresholds: options.thresholds,
    };
    const inspect = sessionInspector(descriptor.sid);
    this.#actor = createActor(
      machine,
      snapshot ? { input, inspect, snapshot: snapshot.machine } : { input, inspect },
    );
    this.#actor.on('decided', (event) => this.#onDecided(event));
    this.#actor.on('approval_requested', (event) => this.#onApprovalRequested(event));
    this.#actor.on('transitioned', ({ record }) => this.#onTransitioned(record));
    this.#actor.subscribe({
      // Only a session that reached its final state ended; a stopped one (moved, passivated) did not.
      complete: () => {
        if (this.#actor.getSnapshot().status === 'done') void this.#terminated();
      },
      error: options.report,
    });
    this.#server = new Server(
      { name: 'trustmesh-session', version: '0.1.0' },
      { capabilities: { tools: { listChanged: true }, resources: {}, prompts: {} } },
    );
    this.#path = new CallPath({
      sid: this.sid,
      calls: this.#calls,
      send: (event) => this.#actor.send(event),
      policy: () => this.#policy,
      usage: { get: () => this.#usage, set: (next) => (this.#usage = next) },
      brokers: this.#brokers,
      signer: options.signer,
      capabilityTtlMs: options.capabilityTtlMs,
      clock,
      audit: this.#audit,
      report: options.report,
      observe: (observed) => this.#observe(observed),
      persist: () => options.persist(() => this.snapshot()),
    });
    registerMcpHandlers(this.#server, {
      policy: () => this.#policy,
      listTools: () => this.#listTools(),
      servers: (method) => methodServers(this.#policy, options.descriptor, method),
      path: this.#path,
    });
  }

  /** Whether a call is on its way (decided, running at a broker, or being recorded). */
  get busy(): boolean {
    return this.#path.running > 0;
  }

  /** When the agent's last request passed the token check (or the actor started): what idleness counts from. */
  get lastRequestAt(): number {
    return this.#lastRequestAt;
  }

  get status(): SessionStatus {
    return sessionStatus(this.#actor.getSnapshot().value);
  }

  summary(): SessionSummary {
    const { sid, principal, purpose, expiresAt } = this.#options.descriptor;
    return { sid, principal, purpose, state: this.status, expiresAt };
  }

  inspect(): SessionInspection {
    const { context } = this.#actor.getSnapshot();
    return inspection(this.summary(), {
      descriptor: this.#options.descriptor,
      policyVersion: this.#policy.version,
      transitions: context.history,
      usage: this.#usage,
      pendingApproval: this.#desk.pending,
      monitor: this.#monitor,
      thresholds: context.thresholds,
      baselineVersion: this.#options.behaviour.baselineVersion,
    });
  }

  /** The jti of every token the session has accepted so far. */
  tokenIds(): string[] {
    return [...this.#tokenIds];
  }

  /** Moves the session as an operator asked; containment applies to the very next call. */
  command(verb: ContainmentVerb, request: OperatorRequest): SessionSummary {
    this.#actor.send({ type: OPERATOR_EVENTS[verb], ...request, at: this.#options.clock() });
    return this.summary();
  }

  /** The call awaiting approval; throws `ERR_CONTROL_NO_PENDING_APPROVAL` if `callId` is not it. */
  awaitingApproval(callId: string): ApprovalRecord {
    const pending = this.#desk.pending;
    if (pending?.callId !== callId) {
      throw new ControlError(
        ControlErrorCode.NoPendingApproval,
        `Call ${callId} of session ${this.sid} is not awaiting approval (it was answered, timed out or never asked); list pending approvals and answer one of those.`,
      );
    }
    return pending;
  }

  /** Answers the call awaiting approval; throws `ERR_CONTROL_NO_PENDING_APPROVAL` if it is not. */
  answer(request: ApprovalAnswer, granted: boolean): ApprovalRecord {
    this.#settled = undefined;
    const pending = this.awaitingApproval(request.callId);
    const outcome = granted ? ApprovalStatus.Approved : ApprovalStatus.Denied;
    this.#answer = { callId: request.callId, outcome, request };
    const at = this.#options.clock();
    const { callId, approver } = request;
    if (granted) this.#actor.send({ type: 'APPROVAL_GRANTED', callId, approver, at });
    else this.#actor.send({ type: 'APPROVAL_DENIED', callId, approver, reason: request.reason ?? '', at });
    this.#answer = undefined;
    return this.#settled ?? { ...pending, status: outcome };
  }

  /** Replaces the policy; the agent hears `list_changed` if its tools changed. */
  setPolicy(policy: PolicyBundle): void {
    this.#policy = policy;
    this.#toolsMaybeChanged();
  }

  /**
   * A broker announced a state or pinned-set change: re-lists that server and sends `list_changed` if
   * the tools the agent last listed differ. Nothing to do before the agent's first `tools/list`.
   */
  brokerChanged(server: string): void {
    if (this.#advertised === undefined || this.#closing) return;
    if (!grantedServers(this.#policy, this.#options.descriptor).includes(server)) return;
    this.#relisting = this.#relisting.then(async () => {
      await this.#relist(server);
      this.#toolsMaybeChanged();
    });
  }

  snapshot(): SessionSnapshot {
    return {
      version: 1,
      descriptor: this.#options.descriptor,
      machine: this.#actor.getPersistedSnapshot(),
      history: this.#usage.history,
      counters: this.#usage.counters,
      monitor: this.#monitor.save(),
      takenAt: this.#options.clock(),
    };
  }

  /** Stops serving: the statechart stops, the transport closes. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#actor.stop();
      await this.#server.close();
      await this.#desk.flushed();
    })();
    return this.#closing;
  }

  async #serve(): Promise<void> {
    const { nc, descriptor, identity, prefix, clock } = this.#options;
    this.#actor.start();
    if (this.#options.snapshot) this.#actor.send({ type: 'RESTORED', at: clock() });
    const transport = new NatsServerTransport({
      nc,
      sid: descriptor.sid,
      prefix,
      identity,
      clock,
      trust: new KeyRing([importVerifyingKey(descriptor.agentPublicKey)]),
    });
    const gate = new TokenGate(transport, {
      sid: descriptor.sid,
      verifier: this.#options.tokens,
      state: () => this.status,
      onVerified: (claims) => {
        this.#tokenIds.add(claims.jti);
        this.#lastRequestAt = this.#options.clock();
      },
      onDenied: (err, request) => {
        if (isAuthFailure(err.code)) this.#risk(this.#monitor.noteAuthFailure());
        this.#options.report(
          new SessionActorError(
            SessionErrorCode.TokenRefused,
            `session ${descriptor.sid}: ${request.method} refused, ${err.code} (jti ${err.context.jti ?? 'unknown'})`,
            { cause: err },
          ),
        );
        const why = { reason: `${err.code}: ${err.message}`, rule: TOKEN_RULE };
        const decided = { ...why, policyVersion: this.#policy.version, state: this.status };
        this.#audit.refused(request, decided).catch(this.#options.report);
      },
    });
    await this.#server.connect(gate);
  }

  async #listTools(): Promise<Tool[]> {
    const servers = grantedServers(this.#policy, this.#options.descriptor);
    await Promise.all(servers.map((server) => this.#relist(server)));
    const tools = this.#visible();
    this.#advertised = toolsSignature(tools);
    return tools;
  }

  async #relist(server: string): Promise<void> {
    try {
      this.#catalogues.set(server, await this.#brokers.list(server));
    } catch (err) {
      this.#catalogues.delete(server);
      this.#options.report(err);
    }
  }

  #visible(): Tool[] {
    return visibleTools(this.#policy, this.#options.descriptor, this.status, this.#catalogues);
  }

  #toolsMaybeChanged(): void {
    if (this.#advertised === undefined || this.#closing) return;
    const signature = toolsSignature(this.#visible());
    if (signature === this.#advertised) return;
    this.#advertised = signature;
    this.#server.sendToolListChanged().catch(this.#options.report);
  }

  #onApprovalRequested(event: ApprovalRequested): void {
    const flight = this.#calls.get(event.callId);
    if (flight) flight.approval = {};
    this.#desk.requested(event, flight?.request.args);
  }

  /** Settles the approval record of a held call (answered, timed out or abandoned), then the call. */
  #onDecided(event: DecidedEvent): void {
    const pending = this.#desk.pending;
    if (pending?.callId === event.callId) {
      const answered = this.#answer?.callId === event.callId ? this.#answer : undefined;
      const outcome =
        answered?.outcome ??
        (event.at >= pending.deadline ? ApprovalStatus.TimedOut : ApprovalStatus.Abandoned);
      this.#settled = this.#desk.settled(event.callId, outcome, answered?.request);
      const flight = this.#calls.get(event.callId);
      if (flight) flight.approval = { outcome };
    }
    this.#calls.settle(event);
  }

  /** A decided (and maybe run) call teaches the monitor; a denial or rule hit may move the session. */
  #observe(observed: ObservedCall): void {
    const moved = observeCall(this.#monitor, observed);
    if (moved) this.#risk(moved);
  }

  /** Risk that arose between calls goes to the machine as `RISK`; a call's own risk goes in `assessCall`. */
  #risk({ score, reasons }: RiskAssessment): void {
    if (this.#closing || this.status === 'terminated') return;
    this.#actor.send({ type: 'RISK', score, reasons, at: this.#options.clock() });
  }

  #onTransitioned(record: TransitionRecord): void {
    // Deferred: the snapshot reads the new state only once the macrostep is over.
    queueMicrotask(() => {
      this.#options.onTransition(this.summary());
      this.#toolsMaybeChanged();
    });
    if (record.to === 'terminated') this.#advertised = undefined;
  }

  async #terminated(): Promise<void> {
    await this.close();
    this.#options.onTerminated(this.sid);
  }
}
