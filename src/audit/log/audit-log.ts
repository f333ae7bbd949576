import { mkdir } from 'node:fs/promises';
import { type ChainHead, chainRecord } from '../chain.js';
import { AuditError, AuditErrorCode } from '../errors.js';
import { type AuditEntry, AuditEntrySchema, type AuditRecord } from '../record.js';
import type { AuditFileHandle } from './file-system.js';
import { LogLock } from './lock.js';
import { type AuditLogOptions, type ParsedAuditLogOptions, parseAuditLogOptions } from './options.js';
import { recoverSegments } from './recover.js';
import { listSegments, segmentPath } from './segments.js';

interface Pending {
  readonly record: AuditRecord;
  readonly line: Buffer;
  readonly resolve: (record: AuditRecord) => void;
  readonly reject: (err: AuditError) => void;
}

/** Counters for operators and tests: how well group commit is batching. */
export interface AuditLogStats {
  readonly appends: number;
  readonly batches: number;
  readonly syncs: number;
  readonly segment: number;
  readonly segmentBytes: number;
}

/**
 * The durable point of the audit: an append-only, size-rotated log of hash-chained records. Concurrent
 * `append()` calls are group-committed (one write and one sync per batch); each resolves only once
 * the sync covering its record has returned. A failed write or sync fails the log closed: that append
 * and every later one reject with `ERR_AUDIT_UNAVAILABLE` until the log is opened again.
 */
export class AuditLog {
  readonly #options: ParsedAuditLogOptions;
  readonly #heads: Map<string, ChainHead>;
  readonly #lock: LogLock;
  #file: AuditFileHandle;
  #segment: number;
  #segmentBytes: number;
  #pending: Pending[] = [];
  #flushing: Promise<void> | undefined;
  #failure: AuditError | undefined;
  #closed = false;
  #stats = { appends: 0, batches: 0, syncs: 0 };

  private constructor(
    options: ParsedAuditLogOptions,
    heads: Map<string, ChainHead>,
    lock: LogLock,
    file: AuditFileHandle,
    segment: number,
    segmentBytes: number,
  ) {
    this.#options = options;
    this.#heads = heads;
    this.#lock = lock;
    this.#file = file;
    this.#segment = segment;
    this.#segmentBytes = segmentBytes;
  }

  /** Opens (or creates) the log in `options.dir`: cuts a torn tail and rebuilds every session's chain head. */
  static async open(options: AuditLogOptions): Promise<AuditLog> {
    const parsed = parseAuditLogOptions(options);
    let lock: LogLock | undefined;
    try {
      await mkdir(parsed.dir, { recursive: true });
      lock = await LogLock.acquire(parsed.dir);
      const segments = await listSegments(parsed.dir);
      const recovery = await recoverSegments(segments);
      const index = segments.at(-1)?.index ?? 1;
      const file = await parsed.fileSystem.open(segmentPath(parsed.dir, index), 'a');
      if (segments.length === 0) await syncDir(parsed);
      return new AuditLog(parsed, recovery.heads, lock, file, index, recovery.lastSize);
    } catch (err) {
      await lock?.release();
      throw unavailable(`the audit log in ${parsed.dir} cannot be opened (${describe(err)})`, err);
    }
  }

  /** Chains, writes and syncs the record of `entry`; resolves with it once it is durable. */
  append(entry: AuditEntry): Promise<AuditRecord> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.reject(unavailable('the audit log is closed', undefined));
    const checked = AuditEntrySchema.safeParse(entry);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      return Promise.reject(
        new AuditError(
          AuditErrorCode.InvalidRecord,
          `The audit entry is invalid at ${issue?.path.join('.') || 'the top level'}: ${issue?.message}; fix the caller that built it.`,
        ),
      );
    }
    let record: AuditRecord;
    try {
      record = chainRecord(entry, this.#heads.get(entry.session));
    } catch (err) {
      return Promise.reject(err);
    }
    this.#heads.set(record.session, { seq: record.seq, hash: record.hash });
    this.#stats.appends++;
    return new Promise((resolve, reject) => {
      this.#pending.push({ record, line: Buffer.from(`${JSON.stringify(record)}\n`), resolve, reject });
      this.#flushing ??= this.#flush();
    });
  }

  /** The session's last record as this log knows it (durable or about to be). */
  head(session: string): ChainHead | undefined {
    return this.#heads.get(session);
  }

  /** Why the log refuses appends, once it does. */
  get failure(): AuditError | undefined {
    return this.#failure;
  }

  stats(): AuditLogStats {
    return { ...this.#stats, segment: this.#segment, segmentBytes: this.#segmentBytes };
  }

  /** Waits for appends already accepted, then closes the file. Idempotent; never rejects. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#flushing;
    await this.#file.close().catch(() => undefined);
    await this.#lock.release();
  }

  async #flush(): Promise<void> {
    // Let every append of the current tick join the first batch.
    await Promise.resolve();
    while (this.#pending.length > 0 && this.#failure === undefined) {
      const batch = this.#pending.splice(0, this.#options.maxBatchRecords);
      try {
        await this.#write(Buffer.concat(batch.map((p) => p.line)));
      } catch (err) {
        this.#fail(err, batch);
        break;
      }
      for (const p of batch) p.resolve(p.record);
      try {
        this.#options.onDurable?.(batch.map((p) => p.record));
      } catch {
        // A listener (the shipper's wake-up) must never turn a durable batch into a failure.
      }
    }
    this.#flushing = undefined;
  }

  async #write(bytes: Buffer): Promise<void> {
    if (this.#segmentBytes > 0 && this.#segmentBytes + bytes.length > this.#options.maxSegmentBytes) {
      await this.#rotate();
    }
    for (let offset = 0; offset < bytes.length; ) {
      const { bytesWritten } = await this.#file.write(bytes, offset, bytes.length - offset);
      offset += bytesWritten;
    }
    this.#segmentBytes += bytes.length;
    this.#stats.batches++;
    await this.#sync(this.#file);
  }

  async #rotate(): Promise<void> {
    const next = await this.#options.fileSystem.open(segmentPath(this.#options.dir, this.#segment + 1), 'a');
    // The old segment was synced with its last batch; the new file's name must survive a crash too.
    await syncDir(this.#options);
    await this.#file.close();
    this.#file = next;
    this.#segment++;
    this.#segmentBytes = 0;
  }

  async #sync(file: AuditFileHandle): Promise<void> {
    this.#stats.syncs++;
    await (this.#options.syncMode === 'sync' ? file.sync() : file.datasync());
  }

  #fail(cause: unknown, batch: readonly Pending[]): void {
    this.#failure = unavailable(
      `writing the audit log in ${this.#options.dir} failed (${describe(cause)}), so no call may run unaudited`,
      cause,
    );
    const failed = [...batch, ...this.#pending.splice(0)];
    for (const p of failed) p.reject(this.#failure);
    void this.#file.close().catch(() => undefined);
  }
}

async function syncDir(options: ParsedAuditLogOptions): Promise<void> {
  const dir = await options.fileSystem.open(options.dir, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

function unavailable(what: string, cause: unknown): AuditError {
  return new AuditError(
    AuditErrorCode.Unavailable,
    `Audit unavailable: ${what}. Calls are refused until it is fixed; check the disk (space, permissions, health) and reopen the log.`,
    { cause },
  );
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
