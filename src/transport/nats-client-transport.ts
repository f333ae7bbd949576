import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { errors, type Msg } from '@nats-io/transport-node';
import { type Channel, startHandshake } from './envelope/index.js';
import { TransportAlreadyStartedError, TransportClosedError, TransportHandshakeError } from './errors.js';
import { type NatsClientTransportOptions, type ParsedClientOptions, parseClientOptions } from './options.js';
import { Refusal, readRefusal } from './refusal.js';
import { RpcEndpoint } from './rpc-endpoint.js';

const INITIALIZED = 'notifications/initialized';

/**
 * The agent end of an MCP session over NATS: give it to an SDK `Client`. `start()` opens a sealed
 * channel with the mesh (a handshake on `<prefix>.s.<sid>.hello`); requests then travel as NATS
 * requests on `c2s`, and the server's notifications and requests arrive on `s2c`.
 */
export class NatsClientTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;
  /**
   * The trustmesh session id once the MCP session is initialized; undefined before. The SDK Client
   * skips `initialize` on a transport that already has a session id (that is how HTTP resumes a
   * session), so, as over HTTP, the id appears when the initialize exchange completes.
   */
  sessionId?: string | undefined;
  /** The trustmesh session id this transport talks on, from construction. */
  readonly sid: string;

  private readonly options: ParsedClientOptions;
  private readonly endpoint: RpcEndpoint;
  private started = false;

  constructor(options: NatsClientTransportOptions) {
    this.options = parseClientOptions(options);
    const { nc, sid, subjects, requestTimeoutMs } = this.options;
    this.sid = sid;
    this.endpoint = new RpcEndpoint(this, {
      nc,
      sid,
      inbound: subjects.s2c,
      outbound: subjects.c2s,
      inboxPrefix: subjects.inboxPrefix,
      requestTimeoutMs,
      peer: 'MCP server',
      onConnectionClosed: () => void this.close(),
    });
  }

  async start(): Promise<void> {
    if (this.started) {
      throw new TransportAlreadyStartedError(
        'NatsClientTransport already started; note that Client.connect() calls start() for you.',
      );
    }
    this.started = true;
    try {
      if (this.endpoint.isClosed) throw this.closedError();
      // Subscribe before the hello: the server may speak on s2c the moment it has sent its welcome.
      this.endpoint.listen();
      const channel = await this.handshake();
      if (this.endpoint.isClosed) throw this.closedError();
      this.endpoint.open(channel);
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  async send(message: JSONRPCMessage): Promise<void> {
    this.endpoint.send(message);
    if (this.sessionId === undefined && 'method' in message && message.method === INITIALIZED) {
      this.sessionId = this.sid;
    }
  }

  async close(): Promise<void> {
    if (this.endpoint.isClosed) return;
    this.endpoint.close();
    this.onclose?.();
  }

  private async handshake(): Promise<Channel> {
    const { nc, sid, identity, trust, subjects, handshakeTimeoutMs } = this.options;
    const handshake = startHandshake(identity, sid, this.options.handshake);
    let welcome: Msg;
    try {
      welcome = await nc.request(subjects.hello, handshake.hello, { timeout: handshakeTimeoutMs });
    } catch (cause) {
      throw new TransportHandshakeError(handshakeFailure(cause, sid, handshakeTimeoutMs), { cause });
    }
    const refusal = readRefusal(welcome);
    if (refusal) throw new TransportHandshakeError(REFUSED[refusal](sid));
    try {
      return handshake.finish(welcome.data, trust);
    } catch (cause) {
      throw new TransportHandshakeError(
        `The mesh's answer to the handshake for session ${sid} did not verify; check that 'trust' holds the mesh's key.`,
        { cause },
      );
    }
  }

  private closedError(): TransportClosedError {
    return new TransportClosedError(
      `NatsClientTransport for session ${this.sid} was closed; create a new one to connect again.`,
    );
  }
}

function handshakeFailure(cause: unknown, sid: string, timeoutMs: number): string {
  if (cause instanceof errors.RequestError && cause.isNoResponders()) {
    return `No mesh node serves session ${sid}; open the session on the mesh first, then connect.`;
  }
  if (cause instanceof errors.TimeoutError) {
    return `The mesh did not answer the handshake for session ${sid} within ${timeoutMs} ms; check that it is running.`;
  }
  return `The handshake for session ${sid} could not be sent (${(cause as Error).message}); check the NATS connection.`;
}

const REFUSED: Record<Refusal, (sid: string) => string> = {
  [Refusal.Untrusted]: (sid) =>
    `The mesh refused the handshake for session ${sid}: this agent's key is not trusted for it. Use the key the session was issued to.`,
  [Refusal.Busy]: (sid) =>
    `Session ${sid} is already connected from another transport; close that one or open a new session.`,
  [Refusal.Closed]: (sid) => `The mesh closed session ${sid}; open a new session.`,
  [Refusal.Rejected]: (sid) => `The mesh rejected the handshake for session ${sid} as malformed.`,
};
