import { createWriteStream, type WriteStream } from 'node:fs';
import type { Readable } from 'node:stream';

const TAIL_LINES = 30;

/**
 * Collects what one nats-server run prints: appends it to the log file in its directory, hands each
 * line to `onLog`, and keeps the last lines so a failed start can say why.
 */
export class NatsLog {
  readonly #file: WriteStream;
  readonly #onLog: ((line: string) => void) | undefined;
  readonly #tail: string[] = [];
  #partial = '';

  constructor(path: string, onLog?: (line: string) => void) {
    this.#file = createWriteStream(path, { flags: 'a' });
    // A full disk must not crash the host program; the tail still explains failures.
    this.#file.on('error', () => {});
    this.#onLog = onLog;
  }

  follow(stream: Readable | null): void {
    stream?.setEncoding('utf8').on('data', (chunk: string) => this.#write(chunk));
  }

  /** The last lines logged, newest last. */
  tail(): string {
    return [...this.#tail, this.#partial].filter(Boolean).join('\n');
  }

  close(): void {
    if (this.#partial) this.#line(this.#partial);
    this.#partial = '';
    this.#file.end();
  }

  #write(chunk: string): void {
    this.#file.write(chunk);
    const lines = (this.#partial + chunk).split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) this.#line(line);
  }

  #line(line: string): void {
    this.#tail.push(line);
    if (this.#tail.length > TAIL_LINES) this.#tail.shift();
    this.#onLog?.(line);
  }
}
