import type { KV, KvWatchEntry } from '@nats-io/kv';
import type { Msg, QueuedIterator, Subscription } from '@nats-io/transport-node';
import { ApproverVerifier } from '../../pki/approvers/index.js';
import { KvRevocationList, RevocationKind } from '../../pki/revocation/index.js';
import { MeshTrust } from '../../pki/signer/index.js';
import type { SessionTokenVerifier } from '../../pki/tokens/index.js';
import { PolicyFeed } from '../../policy/distribution/index.js';
import { type PolicyBundle, readPolicyFiles } from '../../policy/index.js';
import { brokerChangesWildcard, decodeBrokerChange } from '../broker/index.js';
import {
  type ControlBuckets,
  type ControlSubjects,
  controlSubjects,
  encodeReply,
  openControlBuckets,
  readAll,
  type SessionDescriptor,
  SessionDescriptorSchema,
  type SessionSummary,
} from '../control/index.js';
import { BaselineFollower, BehaviourModel } from '../monitor/index.js';
import { SessionActor, type SessionSnapshot } from '../session/index.js';
import { NodeAudit } from './audit.js';
import { answerSessionControl } from './control-handler.js';
import { type MeshNodeOptions, type ParsedNodeOptions, parseNodeOptions } from './options.js';
import { Activation, SessionRegion } from './placement/index.js';
import { forgetSessionUser, openSessionUsers, sessionUserOf } from './session-users.js';
import { loadNodeState, type NodeState } from './state.js';
import { sessionTokenVerifier } from './tokens.js';

/** States in which a session's credentials are revoked: nothing it holds may be used again. */
const REVOKING_STATES: ReadonlySet<string> = new Set(['suspended', 'terminated']);
/** Queue group of the node that answers for a session without a live host. */
const CONTROL_QUEUE = 'trustmesh-control';

/**
 * A mesh node: hosts its share of the registry's sessions (`trustmesh_sessions`) — those whose placement
 * it holds (see `SessionRegion`) — and answers the control plane for them. A new session is hosted by
 * the first node to claim it; one whose host died or was passivated comes back on its next message.
 */
export class MeshNode {
  readonly #options: ParsedNodeOptions;
  readonly #state: NodeState;
  readonly #buckets: ControlBuckets;
  readonly #subjects: ControlSubjects;
  readonly #revocations: KvRevocationList;
  readonly #sessionUsers: KV;
  readonly #tokens: SessionTokenVerifier;
  readonly #approvers: ApproverVerifier | undefined;
  /** Shared by every hosted session: each broker certificate's chain is verified once per node. */
  readonly #trust: MeshTrust;
  /** Revoked here and not yet back from the bucket: refused from the very next call on. */
  readonly #revokedTokens = new Set<string>();
  #region!: SessionRegion;
  readonly #subscriptions: Subscription[] = [];
  readonly #audit: NodeAudit | undefined;
  readonly #feed: PolicyFeed;
  #policy: PolicyBundle;
  /** New sessions are judged by the latest baselines; running ones keep the model they started with. */
  #behaviour: BehaviourModel;
  #baselines: BaselineFollower | undefined;
  #watcher: QueuedIterator<KvWatchEntry> | undefined;
  #closing: Promise<void> | undefined;

  /** Loads keys and the mesh policy, starts serving the control plane and every registered session. */
  static async start(options: MeshNodeOptions): Promise<MeshNode> {
    const parsed = parseNodeOptions(options);
    let node: MeshNode | undefined;
    const [state, feed, buckets, revocations, sessionUsers] = await Promise.all([
      loadNodeState(parsed.stateDir),
      PolicyFeed.open({
        nc: parsed.nc,
        seed: parsed.policyPaths.length > 0 ? await readPolicyFiles(parsed.policyPaths) : undefined,
        seededBy: `trustmesh node (pid ${process.pid})`,
        // Changes before the node exists are not lost: it starts from `feed.bundle`, the newest.
        onChange: (bundle, revision) => {
          if (node) node.#policyChanged(bundle, revision);
        },
        report: (err) => reportTo(parsed.log, err),
        log: parsed.log,
      }),
      openControlBuckets(parsed.nc),
      KvRevocationList.open(parsed.nc, { clock: parsed.clock }),
      openSessionUsers(parsed.nc),
    ]);
    const audit =
      parsed.audit === false
        ? undefined
        : await NodeAudit.open(parsed.nc, { ...parsed, audit: parsed.audit }).catch((err: unknown) => {
            feed.close();
            throw err;
          });
    node = new MeshNode(parsed, state, feed, buckets, revocations, sessionUsers, audit);
    try {
      await node.#start();
    } catch (err) {
      await node.close();
      throw err;
    }
    return node;
  }

  private constructor(
    options: ParsedNodeOptions,
    state: NodeState,
    feed: PolicyFeed,
    buckets: ControlBuckets,
    revocations: KvRevocationList,
    sessionUsers: KV,
    audit: NodeAudit | undefined,
  ) {
    this.#sessionUsers = sessionUsers;
    this.#audit = audit;
    this.#options = options;
    this.#state = state;
    this.#feed = feed;
    this.#policy = feed.bundle;
    this.#buckets = buckets;
    this.#revocations = revocations;
    this.#tokens = sessionTokenVerifier(
      state.tokenKey,
      (jti) => this.#revokedTokens.has(jti) || revocations.isRevoked(jti),
      options.clock,
    );
    this.#trust = new MeshTrust({ anchors: options.anchors, revocations, clock: options.clock });
    this.#subjects = controlSubjects(options.prefix);
    this.#behaviour = new BehaviourModel(options.monitor);
    this.#approvers =
      options.approvers && new ApproverVerifier({ clock: options.clock, ...options.approvers });
  }

  /** The node's identity key; agents accept a channel only from keys their session file trusts. */
  get identity(): NodeState['identity'] {
    return this.#state.identity;
  }

  /** The policy every hosted session decides with now. */
  get policy(): PolicyBundle {
    return this.#policy;
  }

  get policyVersion(): string {
    return this.#policy.version;
  }

  /** The directory of the node's audit log (undefined when it runs unaudited). */
  get auditDir(): string | undefined {
    return this.#audit?.dir;
  }

  /** The `trustmesh_policy` revision the node's policy came from. */
  get policyRevision(): number {
    return this.#feed.revision;
  }

  /** The baselines version new sessions are judged by; `undefined` while cold-start defaults apply. */
  get baselineVersion(): string | undefined {
    return this.#behaviour.baselineVersion;
  }

  /** This node's incarnation in `trustmesh_nodes`, as placement entries name it. */
  get nodeId(): string {
    return this.#region.nodeId;
  }

  sessions(): SessionSummary[] {
    return [...this.#hosted.values()].map((session) => session.summary());
  }

  session(sid: string): SessionActor | undefined {
    return this.#region.find(sid);
  }

  get #hosted(): ReadonlyMap<string, SessionActor> {
    return this.#region?.hosted ?? new Map();
  }

  /** Replaces the policy of every hosted session (each decides its next call with it). */
  setPolicy(policy: PolicyBundle): void {
    this.#policy = policy;
    for (const session of this.#hosted.values()) session.setPolicy(policy);
  }

  /**
   * Stops watching the registry and serving control, then passivates every session (snapshot written,
   * placement released: the next message brings each back on a node still running). Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#feed.close();
      this.#watcher?.stop();
      this.#baselines?.stop();
      for (const sub of this.#subscriptions) sub.unsubscribe();
      await this.#region?.close();
      // After the sessions: the records of calls still finishing are written first.
      await this.#audit?.close();
      await this.#revocations.close();
    })();
    return this.#closing;
  }

  async #start(): Promise<void> {
    const { nc, prefix, clock, placement, log } = this.#options;
    const report = (err: unknown) => this.#report(err);
    this.#region = await SessionRegion.open({
      nc,
      prefix,
      clock,
      placement,
      registry: this.#buckets.sessions,
      host: (descriptor, snapshot, persist) => this.#host(descriptor, snapshot, persist),
      log,
      report,
    });
    const answer = (msg: Msg) =>
      answerSessionControl(msg, {
        subjects: this.#subjects,
        find: (sid) => this.#region.find(sid),
        approvers: this.#approvers,
        log,
        report,
      });
    this.#subscriptions.push(
      // Every node hears a session's control request; only its host answers here...
      nc.subscribe(this.#subjects.sessionWildcard, {
        callback: (err, msg) => {
          if (err) return report(err);
          if (this.#region.find(this.#subjects.parseSession(msg.subject)?.sid ?? '')) answer(msg);
        },
      }),
      // ...and one node answers for a session without a live host, activating it first.
      nc.subscribe(this.#subjects.sessionWildcard, {
        queue: CONTROL_QUEUE,
        callback: (err, msg) => {
          if (err) return report(err);
          const sid = this.#subjects.parseSession(msg.subject)?.sid;
          if (!sid) return answer(msg);
          if (this.#region.find(sid)) return;
          this.#region.wake(sid).then(
            (activation) => activation !== Activation.Elsewhere && answer(msg),
            (cause: unknown) => {
              report(cause);
              answer(msg);
            },
          );
        },
      }),
      // One subscription per node, not per session: each hosted session re-lists the changed server.
      nc.subscribe(brokerChangesWildcard(this.#options.prefix), {
        callback: (err, msg) => {
          if (err) return report(err);
          try {
            const { server } = decodeBrokerChange(this.#options.prefix, msg.subject, msg.data);
            for (const session of this.#hosted.values()) session.brokerChanged(server);
          } catch (cause) {
            report(cause);
          }
        },
      }),
      nc.subscribe(this.#subjects.nodeSessions, {
        callback: (err, msg) => {
          if (err) report(err);
          else if (msg.reply) msg.respond(encodeReply({ ok: true, result: this.sessions() }));
        },
      }),
    );
    this.#baselines = await BaselineFollower.start(nc, {
      onChange: (baselines, revision) => {
        this.#behaviour = new BehaviourModel({ ...this.#options.monitor, baselines });
        this.#options.log(
          `behaviour baselines ${baselines.version} (revision ${revision}) apply to new sessions`,
        );
      },
      report,
    });
    const registered = await readAll(
      this.#buckets.sessions,
      (v) => SessionDescriptorSchema.safeParse(v).data,
    );
    // Sessions registered while no node ran have no placement yet: claim them.
    await Promise.all(registered.map((descriptor) => this.#region.placeNew(descriptor).catch(report)));
    this.#watcher = await this.#buckets.sessions.watch();
    void this.#follow(this.#watcher);
    await nc.flush();
  }

  /** New key: claim it; deleted key: stop it. Values that are not descriptors are logged and skipped. */
  async #follow(watcher: QueuedIterator<KvWatchEntry>): Promise<void> {
    for await (const entry of watcher) {
      if (entry.operation !== 'PUT') {
        await this.#region.ended(entry.key);
        continue;
      }
      const parsed = SessionDescriptorSchema.safeParse(safeJson(entry));
      if (!parsed.success) {
        this.#options.log(`registry entry ${entry.key} is not a session descriptor; it was skipped`);
        continue;
      }
      await this.#region.placeNew(parsed.data).catch((err: unknown) => this.#report(err));
    }
  }

  /** Starts the actor of a session this node now holds, fresh or from its snapshot. */
  async #host(
    descriptor: SessionDescriptor,
    snapshot: SessionSnapshot | undefined,
    persist: (take: () => SessionSnapshot) => Promise<void>,
  ): Promise<SessionActor> {
    const { nc, prefix, clock, resolver, session } = this.#options;
    const policy = this.#policy;
    let actor: SessionActor | undefined;
    try {
      actor = await SessionActor.start({
        ...session,
        nc,
        descriptor,
        identity: this.#state.identity,
        policy,
        signer: this.#options.signer,
        trust: this.#trust,
        tokens: this.#tokens,
        behaviour: this.#behaviour,
        approvals: this.#buckets.approvals,
        audit: this.#audit?.auditor ?? null,
        prefix,
        clock,
        ...(resolver ? { resolver } : {}),
        ...(snapshot ? { snapshot } : {}),
        persist,
        onTransition: (summary) => {
          this.#region.transitioned(summary.sid);
          if (actor && REVOKING_STATES.has(summary.state)) this.#revokeCredentials(actor, summary.state);
        },
        onTerminated: (sid) => void this.#removed(sid),
        report: (err) => this.#report(err),
      });
      // A push that landed while the actor was starting reached every session but this one.
      if (this.#policy !== policy) actor.setPolicy(this.#policy);
      return actor;
    } catch (err) {
      this.#options.log(`session ${descriptor.sid} could not start: ${(err as Error).message}`);
      throw err;
    }
  }

  /**
   * Revokes every token the session presented: on this node at once (the transition's microtask runs
   * before the next message), mesh-wide through the revocation bucket every node reads.
   */
  #revokeCredentials(actor: SessionActor, state: string): void {
    const reason = `session ${actor.sid} ${state}`;
    const revoked = actor.tokenIds().filter((jti) => !this.#revokedTokens.has(jti));
    for (const jti of revoked) this.#revokedTokens.add(jti);
    for (const id of revoked) {
      this.#revocations
        .revoke({ kind: RevocationKind.Token, id, reason })
        .catch((err: unknown) => this.#report(err));
    }
    if (revoked.length > 0) this.#options.log(`${reason}: revoked ${revoked.length} session token(s)`);
    void this.#revokeNatsUser(actor.sid, reason, state === 'terminated');
  }

  /**
   * Closes the agent's NATS connection and refuses its credentials from now on (operator mode). A killed
   * session's entry then leaves `trustmesh_session_users`: nothing will ever revoke or renew it again.
   */
  async #revokeNatsUser(sid: string, reason: string, ended: boolean): Promise<void> {
    const revoke = this.#options.revokeNatsUser;
    try {
      const user = revoke ? await sessionUserOf(this.#sessionUsers, sid) : undefined;
      if (revoke && user !== undefined) {
        await revoke(user);
        this.#options.log(`${reason}: revoked its NATS user ${user}`);
      }
    } catch (err) {
      this.#report(err);
    }
    if (ended) await forgetSessionUser(this.#sessionUsers, sid).catch((err: unknown) => this.#report(err));
  }

  #policyChanged(bundle: PolicyBundle, revision: number): void {
    this.setPolicy(bundle);
    this.#options.log(
      `policy ${bundle.version} (revision ${revision}) applied to ${this.#hosted.size} session(s)`,
    );
  }

  /** A killed session leaves the node and the registry. */
  async #removed(sid: string): Promise<void> {
    await this.#region.ended(sid);
    this.#options.log(`session ${sid} was terminated and removed`);
    await this.#buckets.sessions.delete(sid).catch((err: unknown) => this.#report(err));
  }

  #report(err: unknown): void {
    reportTo(this.#options.log, err);
  }
}

function reportTo(log: (line: string) => void, err: unknown): void {
  log(`error: ${err instanceof Error ? err.message : String(err)}`);
}

function safeJson(entry: KvWatchEntry): unknown {
  try {
    return entry.json();
  } catch {
    return undefined;
  }
}
