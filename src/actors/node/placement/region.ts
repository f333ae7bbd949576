import type { KV } from '@nats-io/kv';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Clock } from '../../../clock.js';
import { hasCode } from '../../../errors.js';
import { activatedSession, activationWildcard } from '../../../transport/index.js';
import { type SessionDescriptor, SessionDescriptorSchema } from '../../control/index.js';
import type { SessionActor, SessionSnapshot } from '../../session/index.js';
import { openPlacementBuckets, type PlacementBuckets } from './buckets.js';
import { PlacementErrorCode } from './errors.js';
import { NodeLease } from './node-lease.js';
import type { ParsedPlacementOptions } from './options.js';
import { Placement, type Tenancy } from './placement.js';

/** Where a session is after an activation request. */
export const Activation = {
  Here: 'here',
  Elsewhere: 'elsewhere',
  /** Neither placed nor registered: it never existed or it ended. */
  Unknown: 'unknown',
} as const;
export type Activation = (typeof Activation)[keyof typeof Activation];

/** Starts the actor of a session this node now holds; `persist` is its fenced placement write. */
export type HostSession = (
  descriptor: SessionDescriptor,
  snapshot: SessionSnapshot | undefined,
  persist: (take: () => SessionSnapshot) => Promise<void>,
) => Promise<SessionActor>;

export interface SessionRegionOptions {
  readonly nc: NatsConnection;
  readonly prefix: string;
  readonly clock: Clock;
  readonly placement: ParsedPlacementOptions;
  /** The session registry (`trustmesh_sessions`): descriptors of sessions never snapshotted. */
  readonly registry: KV;
  readonly host: HostSession;
  readonly log: (line: string) => void;
  readonly report: (err: unknown) => void;
}

const ACTIVATION_QUEUE = 'trustmesh-activate';
// How often and how long a lost session's calls are given to send their (refusing) answers before it closes.
const RETIRE_POLL_MS = 20;
const RETIRE_WAIT_MS = 5_000;

/**
 * This node's share of the mesh's sessions (Pekko's shard region): each session is hosted by exactly one
 * node, the one holding its placement; a message for a session nobody live holds activates it on
 * whichever node the activation queue group picks, from its snapshot. Idle sessions are passivated.
 */
export class SessionRegion {
  /** The sessions this node hosts. */
  readonly hosted = new Map<string, SessionActor>();
  readonly #options: SessionRegionOptions;
  readonly #buckets: PlacementBuckets;
  readonly #tenancies = new Map<string, Tenancy>();
  readonly #activating = new Map<string, Promise<Activation>>();
  #lease!: NodeLease;
  #placement!: Placement;
  #subscription: Subscription | undefined;
  #sweeper: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;

  static async open(options: SessionRegionOptions): Promise<SessionRegion> {
    const { leaseMs, replicas } = options.placement;
    const region = new SessionRegion(options, await openPlacementBuckets(options.nc, { leaseMs, replicas }));
    await region.#join();
    region.#listen();
    return region;
  }

  private constructor(options: SessionRegionOptions, buckets: PlacementBuckets) {
    this.#options = options;
    this.#buckets = buckets;
  }

  /** This node's current incarnation, as placement entries name it. */
  get nodeId(): string {
    return this.#lease.id;
  }

  /** The hosted actor of `sid`, only while this node may still act for it. */
  find(sid: string): SessionActor | undefined {
    return this.#tenancies.get(sid)?.held() ? this.hosted.get(sid) : undefined;
  }

  /** A session just registered: the first node to claim it hosts it. */
  placeNew(descriptor: SessionDescriptor): Promise<Activation> {
    return this.#once(descriptor.sid, async () => {
      const tenancy = await this.#placement.claim(descriptor.sid);
      return tenancy ? this.#start(descriptor, undefined, tenancy) : Activation.Elsewhere;
    });
  }

  /** Brings `sid` up here unless a live node hosts it. */
  wake(sid: string): Promise<Activation> {
    return this.#once(sid, async () => {
      const placed = await this.#placement.take(sid);
      if (placed.kind === 'elsewhere') return Activation.Elsewhere;
      if (placed.kind === 'taken') {
        const descriptor = placed.snapshot?.descriptor ?? (await this.#registered(sid));
        if (descriptor) return this.#start(descriptor, placed.snapshot, placed.tenancy);
        await placed.tenancy.end();
        return Activation.Unknown;
      }
      const descriptor = await this.#registered(sid);
      if (!descriptor) return Activation.Unknown;
      const tenancy = await this.#placement.claim(sid);
      return tenancy ? this.#start(descriptor, undefined, tenancy) : Activation.Elsewhere;
    });
  }

  /** Persists a transition of a hosted session. */
  transitioned(sid: string): void {
    const actor = this.hosted.get(sid);
    const tenancy = this.#tenancies.get(sid);
    if (actor && tenancy) this.#persist(sid, tenancy, () => actor.snapshot()).catch(() => {});
  }

  /** The session ended (killed) or left the registry: stop hosting it and delete its placement. */
  async ended(sid: string): Promise<void> {
    const tenancy = this.#tenancies.get(sid);
    const actor = this.#forget(sid);
    await actor?.close();
    await (tenancy ? tenancy.end() : this.#placement.forget(sid)).catch((err: unknown) => {
      if (!hasCode(err, PlacementErrorCode.Lost)) this.#options.report(err);
    });
  }

  /** Passivates every hosted session (snapshot written, no host) and gives the node lease up. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#sweeper);
      this.#subscription?.unsubscribe();
      await Promise.allSettled(this.#activating.values());
      await Promise.allSettled([...this.hosted.keys()].map((sid) => this.#passivate(sid)));
      await this.#lease.release();
    })();
    return this.#closing;
  }

  async #join(): Promise<void> {
    const { placement, clock, report, log } = this.#options;
    this.#lease = await NodeLease.acquire({
      kv: this.#buckets.nodes,
      name: placement.name,
      leaseMs: placement.leaseMs,
      clock,
      report,
      onLost: () => void this.#rejoin(),
    });
    this.#placement = new Placement(this.#buckets.placement, this.#lease);
    log(`node ${this.#lease.id} holds its lease (${placement.leaseMs} ms)`);
  }

  /** The lease lapsed (a stop or a partition past it): every session here may live elsewhere now. */
  async #rejoin(): Promise<void> {
    const sids = [...this.hosted.keys()];
    this.#options.log(`node ${this.#lease.id} lost its lease; stopping its ${sids.length} session(s)`);
    await Promise.allSettled(sids.map((sid) => this.#forget(sid)?.close()));
    if (!this.#closing) await this.#join().catch(this.#options.report);
  }

  #listen(): void {
    const { nc, prefix, placement } = this.#options;
    this.#subscription = nc.subscribe(activationWildcard(prefix), {
      queue: ACTIVATION_QUEUE,
      callback: (err, msg) => {
        if (err) return this.#options.report(err);
        const sid = activatedSession(prefix, msg.subject);
        if (!sid || this.#closing) return;
        this.wake(sid).then(
          (activation) => msg.reply && msg.respond(new TextEncoder().encode(activation)),
          (cause: unknown) => this.#options.report(cause),
        );
      },
    });
    if (placement.passivateAfterMs > 0) {
      const every = Math.min(60_000, Math.max(10, Math.floor(placement.passivateAfterMs / 4)));
      this.#sweeper = setInterval(() => this.#sweep(), every);
      this.#sweeper.unref();
    }
  }

  #once(sid: string, activate: () => Promise<Activation>): Promise<Activation> {
    if (this.#closing) return Promise.resolve(Activation.Elsewhere);
    if (this.find(sid)) return Promise.resolve(Activation.Here);
    let activation = this.#activating.get(sid);
    if (!activation) {
      activation = activate().finally(() => this.#activating.delete(sid));
      this.#activating.set(sid, activation);
    }
    return activation;
  }

  async #start(
    descriptor: SessionDescriptor,
    snapshot: SessionSnapshot | undefined,
    tenancy: Tenancy,
  ): Promise<Activation> {
    const { sid } = descriptor;
    this.#tenancies.set(sid, tenancy);
    try {
      const actor = await this.#options.host(descriptor, snapshot, (take) =>
        this.#persist(sid, tenancy, take),
      );
      this.hosted.set(sid, actor);
      this.#options.log(`session ${sid} is served${snapshot ? ' (restored from its snapshot)' : ''}`);
      return Activation.Here;
    } catch (err) {
      this.#forget(sid);
      await tenancy.release(snapshot).catch(() => {});
      throw err;
    }
  }

  #persist(sid: string, tenancy: Tenancy, take: () => SessionSnapshot): Promise<void> {
    return tenancy.persist(take).catch((err: unknown) => {
      if (hasCode(err, PlacementErrorCode.Lost) && this.#tenancies.get(sid) === tenancy) {
        this.#options.log(`session ${sid} is no longer held by this node; stopping it here`);
        const actor = this.#forget(sid);
        if (actor) void retire(actor);
      }
      this.#options.report(err);
      throw err;
    });
  }

  #sweep(): void {
    const idleSince = this.#options.clock() - this.#options.placement.passivateAfterMs;
    for (const [sid, actor] of this.hosted) {
      if (actor.lastRequestAt <= idleSince && !actor.busy) void this.#passivate(sid);
    }
  }

  async #passivate(sid: string): Promise<void> {
    const tenancy = this.#tenancies.get(sid);
    const actor = this.hosted.get(sid);
    if (!tenancy || !actor) return;
    // Taken before the actor stops: a stopped actor's snapshot would restore as stopped.
    const snapshot = actor.snapshot();
    this.#forget(sid);
    await actor.close();
    await tenancy.release(snapshot).then(
      () => this.#options.log(`session ${sid} was passivated`),
      (err: unknown) => this.#options.report(err),
    );
  }

  /** Drops `sid` from this node's books; returns its actor for the caller to close. */
  #forget(sid: string): SessionActor | undefined {
    const actor = this.hosted.get(sid);
    this.hosted.delete(sid);
    this.#tenancies.delete(sid);
    return actor;
  }

  async #registered(sid: string): Promise<SessionDescriptor | undefined> {
    const entry = await this.#options.registry.get(sid);
    if (entry?.operation !== 'PUT') return undefined;
    try {
      return SessionDescriptorSchema.safeParse(entry.json()).data;
    } catch {
      return undefined;
    }
  }
}

/**
 * Closes an actor this node lost once its calls in flight have answered: each fails closed at the fence
 * (nothing runs), and closing at once would turn those answers into bare "closed" refusals.
 */
async function retire(actor: SessionActor): Promise<void> {
  for (let waited = 0; actor.busy && waited < RETIRE_WAIT_MS; waited += RETIRE_POLL_MS) {
    await new Promise((resolve) => setTimeout(resolve, RETIRE_POLL_MS));
  }
  await actor.close();
}
