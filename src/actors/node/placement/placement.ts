import type { KV } from '@nats-io/kv';
import type { SessionSnapshot } from '../../session/index.js';
import { PLACEMENT_BUCKET } from './buckets.js';
import { isStaleRevision } from './cas.js';
import { PlacementError, PlacementErrorCode } from './errors.js';
import type { NodeLease } from './node-lease.js';

/** One session's entry in `trustmesh_placement`: its host incarnation (null: passivated) and snapshot. */
export interface PlacementRecord {
  readonly host: string | null;
  readonly snapshot?: SessionSnapshot;
}

/** What an attempt to host a session found. */
export type Placed =
  | { readonly kind: 'taken'; readonly tenancy: Tenancy; readonly snapshot: SessionSnapshot | undefined }
  | { readonly kind: 'elsewhere'; readonly host: string }
  | { readonly kind: 'unplaced' };

/**
 * Single activation of sessions, by compare-and-set on each session's placement entry. The entry's
 * revision is the fencing token: every write a host makes names the revision it last wrote, so once
 * another node has taken the session over, the old host's next write fails and it stops.
 */
export class Placement {
  readonly #kv: KV;
  readonly #lease: NodeLease;

  constructor(kv: KV, lease: NodeLease) {
    this.#kv = kv;
    this.#lease = lease;
  }

  /** Places a session nobody placed before; only one node succeeds. */
  async claim(sid: string): Promise<Tenancy | undefined> {
    try {
      const revision = await this.#kv.create(sid, encode({ host: this.#lease.id }));
      return new Tenancy(this.#kv, this.#lease, sid, revision);
    } catch (err) {
      if (isStaleRevision(err)) return undefined;
      throw err;
    }
  }

  /** Takes the session over unless a live node hosts it; 'unplaced' when it has no entry at all. */
  async take(sid: string): Promise<Placed> {
    const entry = await this.#kv.get(sid);
    if (entry?.operation !== 'PUT') return { kind: 'unplaced' };
    const record = decode(sid, entry.string());
    if (record.host && record.host !== this.#lease.id && (await this.#lease.isAlive(record.host))) {
      return { kind: 'elsewhere', host: record.host };
    }
    try {
      const next: PlacementRecord = { ...record, host: this.#lease.id };
      const revision = await this.#kv.update(sid, encode(next), entry.revision);
      return {
        kind: 'taken',
        tenancy: new Tenancy(this.#kv, this.#lease, sid, revision),
        snapshot: record.snapshot,
      };
    } catch (err) {
      if (!isStaleRevision(err)) throw err;
      // Another node took it between our read and our write: it is the host now.
      const now = await this.#kv.get(sid);
      const host = now?.operation === 'PUT' ? decode(sid, now.string()).host : null;
      return host ? { kind: 'elsewhere', host } : { kind: 'unplaced' };
    }
  }

  /** Deletes the entry of a session that ended while nobody hosted it. */
  async forget(sid: string): Promise<void> {
    await this.#kv.delete(sid);
  }
}

/**
 * This node's hold on one session. Writes are serialised and coalesced: a write waiting its turn takes
 * the snapshot when it runs, so it carries every change made before it started.
 */
export class Tenancy {
  readonly sid: string;
  readonly #kv: KV;
  readonly #lease: NodeLease;
  #revision: number;
  #lost = false;
  #tail: Promise<void> = Promise.resolve();
  #queued: Promise<void> | undefined;

  constructor(kv: KV, lease: NodeLease, sid: string, revision: number) {
    this.#kv = kv;
    this.#lease = lease;
    this.sid = sid;
    this.#revision = revision;
  }

  /** Synchronous: whether this node may still act for the session. */
  held(): boolean {
    return !this.#lost && this.#lease.held();
  }

  /** Writes the snapshot; rejects with `ERR_PLACEMENT_LOST` once the session is no longer ours. */
  persist(take: () => SessionSnapshot): Promise<void> {
    if (!this.held()) return Promise.reject(this.#lostError());
    this.#queued ??= this.#enqueue((revision) => {
      this.#queued = undefined;
      return this.#kv.update(this.sid, encode({ host: this.#lease.id, snapshot: take() }), revision);
    });
    return this.#queued;
  }

  /**
   * Writes the last snapshot with no host (passivation, node shutdown): the next message for the session
   * activates it again, on any node. Pass the snapshot it was restored from when it never ran here.
   */
  release(snapshot: SessionSnapshot | undefined): Promise<void> {
    const record: PlacementRecord = snapshot ? { host: null, snapshot } : { host: null };
    const done = this.#enqueue((revision) => this.#kv.update(this.sid, encode(record), revision));
    this.#lost = true;
    return done;
  }

  /** The session ended: its entry goes, unless another node holds it by now. */
  end(): Promise<void> {
    const done = this.#enqueue(async (revision) => {
      await this.#kv.delete(this.sid, { previousSeq: revision });
      return revision;
    });
    this.#lost = true;
    return done;
  }

  /** Runs `write` after every earlier write, with the revision the last one left; a stale one loses the session. */
  #enqueue(write: (revision: number) => Promise<number>): Promise<void> {
    const run = this.#tail.then(async () => {
      try {
        this.#revision = await write(this.#revision);
      } catch (err) {
        if (!isStaleRevision(err)) throw err;
        this.#lost = true;
        throw this.#lostError(err);
      }
    });
    this.#tail = run.catch(() => {});
    return run;
  }

  #lostError(cause?: unknown): PlacementError {
    return new PlacementError(
      PlacementErrorCode.Lost,
      `Session ${this.sid} is no longer hosted by this node (its lease lapsed or another node took it over); nothing was run here, retry through the mesh.`,
      cause === undefined ? undefined : { cause },
    );
  }
}

function encode(record: PlacementRecord): string {
  return JSON.stringify(record);
}

function decode(sid: string, text: string): PlacementRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw corrupt(sid, cause);
  }
  const host = (value as { host?: unknown } | null)?.host;
  if (typeof value !== 'object' || value === null || !(host === null || typeof host === 'string')) {
    throw corrupt(sid);
  }
  return value as PlacementRecord;
}

function corrupt(sid: string, cause?: unknown): PlacementError {
  return new PlacementError(
    PlacementErrorCode.Corrupt,
    `The placement entry of session ${sid} is not one the mesh writes; delete it from ${PLACEMENT_BUCKET} to let a node place the session again.`,
    cause === undefined ? undefined : { cause },
  );
}
