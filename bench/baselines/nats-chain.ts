import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from '@nats-io/transport-node';
import { SERVICE_CONNECTION } from '../../src/cli/mesh-connection.js';
import { ECHO_TEXT } from '../runner/payload.js';
import type { RoundTripFigures, RoundTripOptions } from '../runner/round-trip.js';
import { measureRoundTrip } from '../runner/round-trip.js';

export interface NatsChainOptions extends RoundTripOptions {
  /** nats-server to measure against. */
  url: string;
}

const SESSION_SUBJECT = 'bench.chain.session';
const BROKER_SUBJECT = 'bench.chain.broker';
const TIMEOUT_MS = 10_000;
const NEWLINE = 0x0a;
// A Node child that copies stdin to stdout: the stdio boundary an MCP server sits behind, no handler.
const ECHO_CHILD = 'process.stdin.pipe(process.stdout)';

/**
 * Baseline: the hops of a mesh call with no-op handlers. The client requests the "session"
 * responder, which requests the "broker" responder, which writes the payload as one line to a Node
 * child process over stdio and answers with the line it reads back. Client, session and broker each
 * have their own connection, as the agent, the mesh node and the broker do in `mesh-call`.
 */
export async function benchNatsChain(options: NatsChainOptions): Promise<RoundTripFigures> {
  // Same connection options as the mesh's node and broker, so the chain pays what the mesh pays.
  const connectOne = () => connect({ servers: options.url, ...SERVICE_CONNECTION });
  const [client, session, broker] = await Promise.all([connectOne(), connectOne(), connectOne()]);
  let child: LineEchoChild | undefined;
  try {
    const echo = await LineEchoChild.spawn();
    child = echo;
    session.subscribe(SESSION_SUBJECT, {
      callback: (_err, msg) => {
        session.request(BROKER_SUBJECT, msg.data, { timeout: TIMEOUT_MS }).then(
          (answer) => msg.respond(answer.data),
          () => undefined, // the client's own timeout reports a lost answer
        );
      },
    });
    broker.subscribe(BROKER_SUBJECT, {
      callback: (_err, msg) => {
        echo.echo(msg.data).then(
          (line) => msg.respond(line),
          () => undefined,
        );
      },
    });
    await Promise.all([session.flush(), broker.flush()]);
    const payload = new TextEncoder().encode(ECHO_TEXT);
    return await measureRoundTrip(
      () => client.request(SESSION_SUBJECT, payload, { timeout: TIMEOUT_MS }),
      options,
    );
  } finally {
    await Promise.allSettled([client, session, broker].map((nc) => nc.close()));
    await child?.close();
  }
}

interface Waiter {
  resolve(line: Uint8Array): void;
  reject(error: Error): void;
}

/**
 * One line out, one line back, in order: the same newline-delimited framing the MCP stdio
 * transport uses, so the pipe costs what it costs an MCP server and nothing else.
 */
class LineEchoChild {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #waiting: Waiter[] = [];
  #buffered: Buffer = Buffer.alloc(0);
  #exited: Error | undefined;

  static async spawn(): Promise<LineEchoChild> {
    const child = spawn(process.execPath, ['--eval', ECHO_CHILD], { stdio: 'pipe' });
    await once(child, 'spawn');
    return new LineEchoChild(child);
  }

  private constructor(child: ChildProcessWithoutNullStreams) {
    this.#child = child;
    child.stdout.on('data', (chunk: Buffer) => this.#onData(chunk));
    child.on('exit', (code, signal) => {
      this.#exited = new Error(
        `the stdio echo child exited (${signal ?? `code ${code}`}); the nats-chain baseline cannot continue.`,
      );
      for (const waiter of this.#waiting.splice(0)) waiter.reject(this.#exited);
    });
  }

  echo(line: Uint8Array): Promise<Uint8Array> {
    if (this.#exited) return Promise.reject(this.#exited);
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#child.stdin.write(Buffer.concat([line, Buffer.of(NEWLINE)]));
    });
  }

  async close(): Promise<void> {
    if (this.#exited) return;
    const exited = once(this.#child, 'exit');
    this.#child.stdin.end();
    await exited;
  }

  #onData(chunk: Buffer): void {
    let data = this.#buffered.length === 0 ? chunk : Buffer.concat([this.#buffered, chunk]);
    for (let end = data.indexOf(NEWLINE); end !== -1; end = data.indexOf(NEWLINE)) {
      this.#waiting.shift()?.resolve(data.subarray(0, end));
      data = data.subarray(end + 1);
    }
    this.#buffered = data;
  }
}
