import { type KV, Kvm, type KvWatchEntry } from '@nats-io/kv';
import type { NatsConnection, QueuedIterator } from '@nats-io/transport-node';
import { type Clock, systemClock } from '../../clock.js';
import {
  parseRevocation,
  type Revocation,
  RevocationError,
  RevocationKind,
  type RevocationList,
  type RevocationRequest,
  toRevocation,
} from './types.js';

export interface KvRevocationListOptions {
  /** @default 'trustmesh_revocations' */
  bucket?: string;
  /** Bucket replicas when it is created here (3 on a 3-node cluster). @default 1 */
  replicas?: number;
  /** @default systemClock */
  clock?: Clock;
}

export const DEFAULT_REVOCATION_BUCKET = 'trustmesh_revocations';

/**
 * The mesh-wide revocation list: one KV bucket every node reads, keyed `<kind>.<id>`. A watch keeps
 * an in-memory copy current, so `isRevoked` answers synchronously; `open` resolves only once every
 * stored revocation is in memory. If the watch ends without `close()` the list fails closed: every
 * id reads as revoked until it is reopened, since a stale list cannot vouch for anything.
 */
export class KvRevocationList implements RevocationList {
  readonly #kv: KV;
  readonly #clock: Clock;
  readonly #entries = new Map<string, Revocation>();
  #watch: QueuedIterator<KvWatchEntry> | undefined;
  #stale = false;
  #closing = false;

  private constructor(kv: KV, clock: Clock) {
    this.#kv = kv;
    this.#clock = clock;
  }

  static async open(nc: NatsConnection, options: KvRevocationListOptions = {}): Promise<KvRevocationList> {
    const bucket = options.bucket ?? DEFAULT_REVOCATION_BUCKET;
    let kv: KV;
    try {
      kv = await new Kvm(nc).create(bucket, { replicas: options.replicas ?? 1, history: 1 });
    } catch (cause) {
      throw new RevocationError(
        `cannot open the revocation bucket '${bucket}'; is JetStream enabled on the NATS server?`,
        { cause },
      );
    }
    const list = new KvRevocationList(kv, options.clock ?? systemClock);
    await list.#start();
    return list;
  }

  async revoke(request: RevocationRequest): Promise<Revocation> {
    const revocation = toRevocation(request, this.#clock());
    const key = `${revocation.kind}.${revocation.id}`;
    await this.#kv.put(key, JSON.stringify(revocation));
    // Our own write is in memory before revoke() returns, not only when the watch delivers it.
    this.#entries.set(revocation.id, revocation);
    return revocation;
  }

  isRevoked(id: string): boolean {
    return this.#stale || this.#entries.has(id);
  }

  list(): Revocation[] {
    return [...this.#entries.values()];
  }

  async close(): Promise<void> {
    this.#closing = true;
    this.#watch?.stop();
  }

  async #start(): Promise<void> {
    const status = await this.#kv.status();
    const lastSeq = status.values === 0 ? 0 : status.streamInfo.state.last_seq;
    const watch = await this.#kv.watch({ key: '>' });
    this.#watch = watch;
    let markReady: () => void = () => {};
    const ready = new Promise<void>((resolve) => {
      markReady = resolve;
    });
    if (lastSeq === 0) markReady();
    void (async () => {
      for await (const entry of watch) {
        this.#apply(entry);
        if (entry.revision >= lastSeq) markReady();
      }
      if (!this.#closing) this.#stale = true;
      markReady();
    })();
    await ready;
  }

  #apply(entry: KvWatchEntry): void {
    const dot = entry.key.indexOf('.');
    const id = entry.key.slice(dot + 1);
    if (entry.operation !== 'PUT') {
      this.#entries.delete(id);
      return;
    }
    // An entry we cannot parse still names an id under a revocation key: it counts as revoked.
    const kind =
      entry.key.slice(0, dot) === RevocationKind.Token ? RevocationKind.Token : RevocationKind.Certificate;
    const revocation = parseRevocation(safeJson(entry.string()));
    this.#entries.set(id, revocation ?? { kind, id, reason: 'unreadable entry', revokedAt: '' });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
