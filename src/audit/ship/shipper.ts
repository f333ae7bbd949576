import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { type JetStreamClient, jetstream } from '@nats-io/jetstream';
import { AuditError, AuditErrorCode } from '../errors.js';
import { linesFrom, listSegments, type PositionedLine } from '../log/index.js';
import { parseLine } from '../reader.js';
import { loadCursor, type ShipCursor, saveCursor } from './cursor.js';
import {
  type AuditShipperOptions,
  type ParsedAuditShipperOptions,
  parseAuditShipperOptions,
} from './options.js';
import { auditSubject, ensureAuditStream } from './stream.js';

/** How far the stream is behind the local log. */
export interface ShipLag {
  /** Durable bytes in the local log not yet acknowledged by the stream. */
  readonly bytes: number;
  /** Records acknowledged since the cursor was created. */
  readonly shipped: number;
  /** The last shipping failure, cleared by the next success. */
  readonly lastError: AuditError | undefined;
}

/**
 * Copies the local audit log to a JetStream stream, at least once, with the record hash as the
 * message id so the stream drops redeliveries. It only reads the log: appends never wait for it.
 * Progress is a cursor file written after each acknowledged batch, so a restart resumes where the
 * stream's acknowledgements stopped.
 */
export class AuditShipper {
  readonly #options: ParsedAuditShipperOptions;
  readonly #js: JetStreamClient;
  #cursor: ShipCursor;
  #running: Promise<number> | undefined;
  #again = false;
  #lastError: AuditError | undefined;
  #stopped = false;
  /** Ends the current wait; `notify()` calls it only while the loop waits for work. */
  #wake: (() => void) | undefined;
  #interrupt: (() => void) | undefined;
  /** Set by `notify()`; a notification during a pass means another pass, not a wait. */
  #notified = false;
  #loop: Promise<void> | undefined;

  private constructor(options: ParsedAuditShipperOptions, cursor: ShipCursor) {
    this.#options = options;
    this.#js = jetstream(options.connection);
    this.#cursor = cursor;
  }

  /** Ensures the stream and loads the cursor; call `run()` to ship continuously or `ship()` on demand. */
  static async open(options: AuditShipperOptions): Promise<AuditShipper> {
    const parsed = parseAuditShipperOptions(options);
    try {
      await ensureAuditStream(parsed.connection, parsed);
    } catch (err) {
      throw shipError(`the audit stream ${parsed.stream} cannot be created or read`, err);
    }
    return new AuditShipper(parsed, await loadCursor(parsed.cursorFile));
  }

  /** Ships until `stop()`: whenever `notify()` is called and at least every poll interval. */
  run(): void {
    this.#loop ??= this.#runLoop();
  }

  /** Wakes the loop, e.g. from the log's `onDurable`. */
  notify(): void {
    this.#notified = true;
    this.#wake?.();
  }

  /** Ships every complete record now in the log; resolves with how many were acknowledged. */
  ship(): Promise<number> {
    if (this.#running !== undefined) {
      this.#again = true;
      return this.#running;
    }
    const run = this.#shipAll().finally(() => {
      this.#running = undefined;
    });
    this.#running = run;
    return run;
  }

  async lag(): Promise<ShipLag> {
    let bytes = 0;
    for (const segment of await listSegments(this.#options.dir)) {
      if (segment.index < this.#cursor.segment) continue;
      const { size } = await stat(segment.path);
      bytes += segment.index === this.#cursor.segment ? Math.max(0, size - this.#cursor.offset) : size;
    }
    return { bytes, shipped: this.#cursor.shipped, lastError: this.#lastError };
  }

  /** Stops the loop after the batch in flight; never rejects. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#interrupt?.();
    await this.#loop;
    await this.#running?.catch(() => undefined);
  }

  async #runLoop(): Promise<void> {
    while (!this.#stopped) {
      this.#notified = false;
      const shipped = await this.ship().then(
        () => true,
        () => false,
      );
      if (this.#stopped) break;
      // Wake-ups during the pause are kept for after it: a busy log is shipped in fewer, larger passes.
      const { pollIntervalMs, minIntervalMs } = this.#options;
      await this.#sleep(Math.min(minIntervalMs, pollIntervalMs), false);
      // After a failure, a wake-up that came during the pass does not skip the wait before retrying.
      if (shipped && this.#notified) continue;
      await this.#sleep(Math.max(0, pollIntervalMs - minIntervalMs), true);
    }
  }

  /** Waits `ms`, or less when stopped (or, with `wakeOnNotify`, when notified). */
  async #sleep(ms: number, wakeOnNotify: boolean): Promise<void> {
    if (this.#stopped) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#interrupt = done;
      if (wakeOnNotify) this.#wake = done;
    });
    this.#interrupt = undefined;
    this.#wake = undefined;
  }

  async #shipAll(): Promise<number> {
    let shipped = 0;
    do {
      this.#again = false;
      try {
        shipped += await this.#shipSegments();
        this.#lastError = undefined;
      } catch (err) {
        this.#lastError = err instanceof AuditError ? err : shipError('shipping audit records failed', err);
        throw this.#lastError;
      }
    } while (this.#again && !this.#stopped);
    return shipped;
  }

  async #shipSegments(): Promise<number> {
    let shipped = 0;
    let batch: PositionedLine[] = [];
    for await (const line of linesFrom(this.#options.dir, this.#cursor)) {
      batch.push(line);
      if (batch.length >= this.#options.batchRecords) {
        shipped += await this.#publish(batch);
        batch = [];
        if (this.#stopped) return shipped;
      }
    }
    if (batch.length > 0) shipped += await this.#publish(batch);
    return shipped;
  }

  async #publish(batch: readonly PositionedLine[]): Promise<number> {
    const { prefix } = this.#options;
    await Promise.all(
      batch.map((line) => {
        const record = parseLine(line.text) as { session?: unknown; hash?: unknown } | undefined;
        const msgID =
          typeof record?.hash === 'string'
            ? record.hash
            : createHash('sha256').update(line.text).digest('hex');
        return this.#js.publish(auditSubject(prefix, record?.session), line.text, { msgID });
      }),
    );
    const last = batch.at(-1) as PositionedLine;
    await this.#advance({
      segment: last.segment,
      offset: last.end,
      shipped: this.#cursor.shipped + batch.length,
    });
    return batch.length;
  }

  async #advance(cursor: ShipCursor): Promise<void> {
    await saveCursor(this.#options.cursorFile, cursor);
    this.#cursor = cursor;
  }
}

function shipError(what: string, cause: unknown): AuditError {
  return new AuditError(
    AuditErrorCode.Ship,
    `${what} (${cause instanceof Error ? cause.message : String(cause)}); the records stay in the local log and shipping retries. Check the NATS connection and the stream.`,
    { cause },
  );
}
