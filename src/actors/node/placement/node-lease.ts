import { randomBytes } from 'node:crypto';
import type { KV } from '@nats-io/kv';
import type { Clock } from '../../../clock.js';
import { isStaleRevision } from './cas.js';

export interface NodeLeaseOptions {
  /** The nodes bucket (`trustmesh_nodes`), whose TTL is `leaseMs`. */
  readonly kv: KV;
  /** Readable name of the node; the lease key adds a random incarnation to it. */
  readonly name: string;
  readonly leaseMs: number;
  readonly clock: Clock;
  /** The lease is gone for good (NATS expired it, e.g. after a stop past the lease): drop every session. */
  readonly onLost: () => void;
  readonly report: (err: unknown) => void;
}

/**
 * This node's incarnation in `trustmesh_nodes`. Each session placed on the node names the incarnation,
 * and holds as long as it lives: one renewal per node, not per session. NATS expires an entry that was
 * not renewed within the bucket's TTL, so a dead or stopped node loses its sessions without anyone
 * comparing clocks across hosts; the node itself stops acting once its own clock says the lease ran
 * out, before it has even learnt that the entry is gone.
 */
export class NodeLease {
  readonly id: string;
  readonly #options: NodeLeaseOptions;
  #revision: number;
  #validUntil: number;
  #lost = false;
  #renewing = false;
  readonly #timer: NodeJS.Timeout;

  static async acquire(options: NodeLeaseOptions): Promise<NodeLease> {
    const id = `${options.name}-${randomBytes(6).toString('base64url')}`;
    const sentAt = options.clock();
    const revision = await options.kv.create(id, JSON.stringify({ since: sentAt }));
    return new NodeLease(id, options, revision, sentAt + options.leaseMs);
  }

  private constructor(id: string, options: NodeLeaseOptions, revision: number, validUntil: number) {
    this.id = id;
    this.#options = options;
    this.#revision = revision;
    this.#validUntil = validUntil;
    this.#timer = setInterval(() => void this.#renew(), Math.max(1, Math.floor(options.leaseMs / 3)));
    this.#timer.unref();
  }

  /** Synchronous: false from the moment the lease may have lapsed, whatever NATS says later. */
  held(): boolean {
    return !this.#lost && this.#options.clock() < this.#validUntil;
  }

  /** Whether the incarnation `nodeId` still holds its lease (its entry has not expired). */
  async isAlive(nodeId: string): Promise<boolean> {
    if (nodeId === this.id) return this.held();
    const entry = await this.#options.kv.get(nodeId);
    return entry?.operation === 'PUT';
  }

  /** Stops renewing and gives the lease up at once, so nobody waits for it to lapse. */
  async release(): Promise<void> {
    clearInterval(this.#timer);
    if (this.#lost) return;
    this.#lost = true;
    await this.#options.kv.delete(this.id, { previousSeq: this.#revision }).catch(() => {
      // Already expired or unreachable: it lapses by itself.
    });
  }

  async #renew(): Promise<void> {
    if (this.#lost || this.#renewing) return;
    this.#renewing = true;
    const sentAt = this.#options.clock();
    try {
      this.#revision = await this.#options.kv.update(
        this.id,
        JSON.stringify({ since: sentAt }),
        this.#revision,
      );
      // The entry's TTL runs from when the server stored it, which is after we sent it.
      this.#validUntil = sentAt + this.#options.leaseMs;
    } catch (err) {
      if (isStaleRevision(err)) this.#lose();
      else this.#options.report(err);
    } finally {
      this.#renewing = false;
    }
  }

  #lose(): void {
    this.#lost = true;
    clearInterval(this.#timer);
    this.#options.onLost();
  }
}
