import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Msg, Subscription } from '@nats-io/transport-node';
import { type Actor, createActor, waitFor } from 'xstate';
import { type BrokerEvent, brokerMachine } from '../../../statecharts/index.js';
import { traceBrokerRequest } from '../../telemetry/index.js';
import { NonceCache } from '../capability/index.js';
import { type CallContext, serveCall } from './calls.js';
import type { Listing } from './catalogue.js';
import { encodeBrokerChange } from './changes.js';
import { BrokerError, BrokerErrorCode } from './errors.js';
import { type BrokerOptions, type ParsedBrokerOptions, parseBrokerOptions } from './options.js';
import { Pins } from './pins.js';
import { quarantineMessage } from './report.js';
import { connectUpstream, type UpstreamConnection } from './upstream.js';
import { type BrokerCatalogue, type BrokerSubjects, brokerSubjects, encodeCatalogue } from './wire.js';

/** A broker statechart state (top level): `connecting`, `ready`, `quarantined`, `failed`, `draining`, `stopped`. */
export type BrokerState = 'connecting' | 'ready' | 'quarantined' | 'failed' | 'draining' | 'stopped';

const SERVING: ReadonlySet<BrokerState> = new Set(['ready', 'quarantined']);
/** States whose catalogue says something: a failed broker still tells operators why. */
const LISTING: ReadonlySet<BrokerState> = new Set(['ready', 'quarantined', 'failed']);

/**
 * The enforcement point in front of one MCP server. Serves `<prefix>.tool.<server>.call` and `.list`
 * in the server's queue group; the broker statechart decides whether calls are admitted; tool
 * definitions are pinned and any change quarantines the server until an operator approves it.
 */
export class ToolBroker {
  readonly #options: ParsedBrokerOptions;
  readonly #subjects: BrokerSubjects;
  readonly #actor: Actor<typeof brokerMachine>;
  readonly #nonces: NonceCache;
  readonly #pins: Pins;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #calls: CallContext;
  #upstream: UpstreamConnection | undefined;
  #observed: BrokerState | undefined;
  /** State and pinned set last announced on `.changed`, so each change is announced once. */
  #announced = '';
  #generation = 0;
  #settling: Promise<void> = Promise.resolve();
  #callSub: Subscription | undefined;
  #listSub: Subscription | undefined;
  #draining: Promise<void> | undefined;
  #resolveStopped!: () => void;
  readonly #stopped = new Promise<void>((resolve) => {
    this.#resolveStopped = resolve;
  });

  constructor(options: BrokerOptions) {
    this.#options = parseBrokerOptions(options);
    const { server, retry, drainTimeoutMs } = this.#options;
    this.#subjects = brokerSubjects(this.#options.prefix, server);
    this.#nonces = new NonceCache({ maxEntries: this.#options.nonceCacheEntries });
    this.#pins = new Pins(server, this.#options.pinStore, this.#options.clock, this.#options.pinOnFirstUse);
    this.#actor = createActor(brokerMachine, { input: { server, retry, drainTimeoutMs } });
    this.#calls = this.#callContext();
  }

  get server(): string {
    return this.#options.server;
  }

  get state(): BrokerState {
    return this.#observed ?? 'connecting';
  }

  /** Loads the pins, starts serving the catalogue and connects; resolves once the first attempt settled. */
  async start(): Promise<void> {
    await this.#pins.load();
    this.#actor.subscribe((snapshot) => this.#onState(stateName(snapshot.value)));
    this.#actor.start();
    this.#onState(stateName(this.#actor.getSnapshot().value));
    await this.waitForState(['ready', 'quarantined', 'failed', 'draining', 'stopped']);
  }

  /** Resolves when the broker is in one of `states`. */
  async waitForState(states: readonly BrokerState[], timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    await waitFor(this.#actor, (snapshot) => states.includes(stateName(snapshot.value)), {
      timeout: timeoutMs,
    });
  }

  /** Resolves once the retry budget ran out and the broker waits for `trustmesh broker retry`. */
  async waitUntilGaveUp(timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    await waitFor(this.#actor, (snapshot) => snapshot.matches({ failed: 'exhausted' }), {
      timeout: timeoutMs,
    });
  }

  /** The approved tools (sanitised, `server.tool` names), the pin status and any quarantine report. */
  catalogue(): BrokerCatalogue {
    return this.#pins.catalogue(this.state);
  }

  /** Serves one encoded broker request; always resolves to an encoded answer. */
  handle(data: Uint8Array): Promise<Uint8Array> {
    return serveCall(this.#calls, data);
  }

  /**
   * `trustmesh broker approve <server>`: re-lists the server and pins what it lists now. With
   * `expectedSetHash` (the `listedSetHash` the operator reviewed), refuses if the listing moved since.
   */
  async approve(operator: string, expectedSetHash?: string): Promise<void> {
    const connection = this.#upstream;
    if (connection === undefined || !SERVING.has(this.state)) {
      throw new BrokerError(
        BrokerErrorCode.Unavailable,
        `Broker ${this.server} is ${this.state}, not connected to its server; approve once it is connected (quarantined or ready).`,
      );
    }
    await this.#settling;
    const listing = await this.#pins.list(connection, this.#options.connectTimeoutMs);
    if (expectedSetHash !== undefined && listing.setHash !== expectedSetHash) {
      throw new BrokerError(
        BrokerErrorCode.ApprovalStale,
        `Server ${this.server} now lists tools with set hash ${listing.setHash}, not the ${expectedSetHash} that was reviewed; review the catalogue again and approve that.`,
      );
    }
    await this.#pins.approve(listing, operator);
    this.#send({ type: 'OPERATOR_APPROVE', operator });
    this.#announce();
  }

  /** Restarts connecting after the retry budget ran out. */
  retry(operator: string): void {
    this.#send({ type: 'OPERATOR_RETRY', operator });
  }

  /**
   * Stops taking calls (the queue group routes new ones to other replicas), finishes the calls it
   * already has, then closes the server connection. Resolves when stopped; idempotent.
   */
  drain(): Promise<void> {
    this.#draining ??= (async () => {
      if (this.#observed === undefined) return; // never started: nothing to drain
      const subscriptions = [this.#callSub, this.#listSub].filter((sub) => sub !== undefined);
      this.#callSub = undefined;
      this.#listSub = undefined;
      // Messages NATS already delivered to this replica are served, not dropped.
      await Promise.allSettled(subscriptions.map((sub) => sub.drain()));
      this.#send({ type: 'DRAIN' });
      // The statechart's drain timeout stops the broker even if a call never finishes.
      await Promise.race([Promise.allSettled([...this.#inFlight]), this.#stopped]);
      if (this.state === 'draining') this.#send({ type: 'DRAINED' });
      await this.#stopped;
    })();
    return this.#draining;
  }

  #send(event: BrokerEvent): void {
    this.#actor.send(event);
  }

  #onState(state: BrokerState): void {
    if (state === this.#observed) return;
    this.#observed = state;
    if (state === 'connecting') void this.#connect();
    // Not connected: let the queue group route calls to replicas that are.
    this.#callSub = this.#follow(this.#callSub, SERVING.has(state), this.#subjects.call, (msg) =>
      this.#serve(msg),
    );
    // Connecting: no catalogue to show yet; another replica's answer is better than an empty one.
    this.#listSub = this.#follow(this.#listSub, LISTING.has(state), this.#subjects.list, (msg) =>
      this.#track(async () => {
        msg.respond(encodeCatalogue(this.catalogue()));
      }),
    );
    if (state === 'stopped') void this.#closeUpstream().then(this.#resolveStopped);
    this.#announce();
  }

  /** Tells mesh nodes the catalogue may have changed; sessions re-list and hear `list_changed` if it did. */
  #announce(): void {
    const { state, pinnedSetHash } = this.catalogue();
    const announced = `${state} ${pinnedSetHash}`;
    if (announced === this.#announced) return;
    this.#announced = announced;
    try {
      const change = encodeBrokerChange({ server: this.server, state, pinnedSetHash });
      this.#options.connection.publish(this.#subjects.changed, change);
    } catch {
      // A closed connection: sessions then see the change on their next tools/list.
    }
  }

  /** Joins or leaves the queue group on `subject` as `wanted` says; a draining broker keeps what it has. */
  #follow(
    sub: Subscription | undefined,
    wanted: boolean,
    subject: string,
    serve: (msg: Msg) => void,
  ): Subscription | undefined {
    if (this.#draining !== undefined) return sub;
    if (wanted && sub === undefined) {
      return this.#options.connection.subscribe(subject, {
        queue: this.#subjects.queue,
        callback: (_err, msg) => serve(msg),
      });
    }
    if (!wanted && sub !== undefined) void sub.drain().catch(() => undefined);
    return wanted ? sub : undefined;
  }

  #serve(msg: Msg): void {
    this.#track(async () => {
      const server = this.#options.server;
      msg.respond(await traceBrokerRequest(server, msg.headers, () => this.handle(msg.data)));
    });
  }

  #track(work: () => Promise<void>): void {
    const running = work().catch(() => undefined);
    this.#inFlight.add(running);
    void running.finally(() => this.#inFlight.delete(running));
  }

  async #connect(): Promise<void> {
    const generation = ++this.#generation;
    await this.#closeUpstream();
    let connection: UpstreamConnection | undefined;
    try {
      connection = await connectUpstream(this.#options.upstream, this.#options.connectTimeoutMs, (reason) => {
        if (connection !== undefined && this.#upstream === connection) this.#lost(connection, reason);
      });
      if (generation !== this.#generation || this.state !== 'connecting') {
        await connection.close();
        return;
      }
      this.#upstream = connection;
      const live = connection;
      live.client.setNotificationHandler(ToolListChangedNotificationSchema, () => this.#relist(live));
      // In the same queue as re-listings: a server that announces list_changed at once (many do) must
      // not be judged, and pinned on first use, twice at the same time.
      const first = this.#settling.then(async () =>
        this.#judge(await this.#pins.list(live, this.#options.connectTimeoutMs)),
      );
      this.#settling = first.catch(() => undefined);
      await first;
    } catch (err) {
      if (connection !== undefined && this.#upstream === connection) this.#upstream = undefined;
      await connection?.close();
      if (generation === this.#generation) this.#send({ type: 'CONNECT_FAILED', error: describe(err) });
    }
  }

  /** Re-lists on `list_changed`; calls wait for the verdict. A failed re-listing counts as a lost server. */
  #relist(connection: UpstreamConnection): void {
    this.#settling = this.#settling.then(async () => {
      if (this.#upstream !== connection) return;
      try {
        await this.#judge(await this.#pins.list(connection, this.#options.connectTimeoutMs));
      } catch (err) {
        this.#lost(connection, `re-listing its tools failed: ${describe(err)}`);
      }
    });
  }

  async #judge(listing: Listing): Promise<void> {
    for (const event of await this.#pins.judge(listing, this.state === 'connecting')) this.#send(event);
  }

  #lost(connection: UpstreamConnection, reason: string): void {
    if (this.#upstream !== connection) return;
    this.#upstream = undefined;
    void connection.close();
    this.#send({ type: 'SERVER_EXITED', error: reason });
  }

  async #closeUpstream(): Promise<void> {
    const connection = this.#upstream;
    this.#upstream = undefined;
    await connection?.close();
  }

  #callContext(): CallContext {
    const { server, identity, trust, clock, callTimeoutMs, maxResponseBytes, connection } = this.#options;
    return {
      server,
      identity,
      trust,
      clock,
      callTimeoutMs,
      nonces: this.#nonces,
      settled: () => this.#settling,
      admit: () => {
        if (this.state === 'quarantined') {
          throw new BrokerError(BrokerErrorCode.Quarantined, quarantineMessage(server, this.#pins.report()));
        }
        if (this.state === 'draining' || this.state === 'stopped') {
          throw new BrokerError(
            BrokerErrorCode.Draining,
            `Broker ${server} is shutting down and takes no new calls; retry: another replica will serve it.`,
          );
        }
        if (this.state !== 'ready' || this.#upstream === undefined) {
          throw new BrokerError(
            BrokerErrorCode.Unavailable,
            `Broker ${server} is not connected to its server (${this.state}); retry shortly.`,
          );
        }
        return this.#upstream;
      },
      pinnedTool: (name) => this.#pins.tool(name),
      responseLimit: () => {
        const natsLimit = connection.info?.max_payload ?? Number.POSITIVE_INFINITY;
        return natsLimit < maxResponseBytes
          ? { bytes: natsLimit, reason: "the NATS server's max_payload" }
          : { bytes: maxResponseBytes, reason: 'maxResponseBytes' };
      },
      upstreamBroken: (broken, reason) => this.#lost(broken, reason),
    };
  }
}

function stateName(value: unknown): BrokerState {
  return (typeof value === 'string' ? value : Object.keys(value as object)[0]) as BrokerState;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
