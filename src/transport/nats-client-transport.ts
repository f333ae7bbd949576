import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type {
  JSONRPCMessage,
  JSONRPCRequest,
  MessageExtraInfo,
  RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { errors, type Msg } from '@nats-io/transport-node';
import { activateSession, hostMissing } from './activation.js';
import { type Channel, startHandshake } from './envelope/index.js';
import {
  NoRespondersError,
  OutcomeUnknownError,
  TransportAlreadyStartedError,
  TransportClosedError,
  TransportErrorCode,
  TransportHandshakeError,
} from './errors.js';
import { type NatsClientTransportOptions, type ParsedClientOptions, parseClientOptions } from './options.js';
import { Refusal, readRefusal } from './refusal.js';
import { failureResponse, RpcKind, rpcId, rpcKind } from './rpc-codec.js';
import { RpcEndpoint } from './rpc-endpoint.js';

const INITIALIZED = 'notifications/initialized';
// One hello's wait before the transport asks the mesh to activate the session and says hello again.
const HELLO_ATTEMPT_MS = 2_000;
// While requests are in flight, how often the transport checks that the host still listens (an empty
// hello): a host killed outright sends no answers, and its calls would otherwise wait out their timeout.
const HOST_PROBE_MS = 1_000;

/**
 * The agent end of an MCP session over NATS: give it to an SDK `Client`. `start()` opens a sealed
 * channel with the mesh (a handshake on `<prefix>.s.<sid>.hello`); requests then travel as NATS
 * requests on `c2s`, and the server's notifications and requests arrive on `s2c`.
 *
 * Callers never know where the session lives. A hello or request that finds no host (nobody listening,
 * or no answer) asks `<prefix>.s.<sid>.activate`, where a node takes the session up from its snapshot,
 * and the transport opens a fresh channel with it. A request nobody received is sent again; one the
 * old host did receive fails with `ERR_TRANSPORT_OUTCOME_UNKNOWN` and is never sent twice.
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
  /** Requests sent and not answered yet: what a move to another host fails or sends again. */
  private readonly inFlight = new Map<RequestId, JSONRPCRequest>();
  /** Requests nobody received, sent again once the session has a host. */
  private parked: JSONRPCRequest[] = [];
  private readonly resent = new Set<RequestId>();
  private rehoming: Promise<void> | undefined;
  private probe: NodeJS.Timeout | undefined;

  constructor(options: NatsClientTransportOptions) {
    this.options = parseClientOptions(options);
    const { nc, sid, subjects, requestTimeoutMs } = this.options;
    this.sid = sid;
    const host = {
      onmessage: (message: JSONRPCMessage, extra?: MessageExtraInfo) => this.receive(message, extra),
      onerror: (error: Error) => this.onerror?.(error),
    };
    this.endpoint = new RpcEndpoint(host, {
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
    await this.rehoming;
    if (rpcKind(message) === RpcKind.Request) {
      this.inFlight.set((message as JSONRPCRequest).id, message as JSONRPCRequest);
      this.probe ??= setInterval(() => void this.checkHost(), HOST_PROBE_MS).unref();
    }
    this.endpoint.send(message);
    if (this.sessionId === undefined && 'method' in message && message.method === INITIALIZED) {
      this.sessionId = this.sid;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.probe);
    if (this.endpoint.isClosed) return;
    this.endpoint.close();
    this.onclose?.();
  }

  /** Hands answers to the SDK; a request whose host went away is sent again or failed, never both. */
  private receive(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    const id = rpcKind(message) === RpcKind.Response ? rpcId(message) : undefined;
    if (id !== undefined) {
      const request = this.inFlight.get(id);
      if (!request) return; // already failed when the session moved
      const code =
        'error' in message ? (message.error.data as { code?: string } | undefined)?.code : undefined;
      if (
        code === TransportErrorCode.NoResponders &&
        !this.resent.has(request.id) &&
        !this.endpoint.isClosed
      ) {
        this.resent.add(request.id);
        this.parked.push(request);
        void this.rehome();
        return;
      }
      this.inFlight.delete(id);
      this.resent.delete(id);
      const moved = code === TransportErrorCode.Timeout || code === TransportErrorCode.Closed;
      if (moved && !this.endpoint.isClosed) void this.rehome();
    }
    this.onmessage?.(message, extra);
  }

  /** Nobody subscribed to the session any more (its host died): its calls in flight will never be answered. */
  private async checkHost(): Promise<void> {
    if (this.inFlight.size === 0 || this.endpoint.isClosed) {
      clearInterval(this.probe);
      this.probe = undefined;
      return;
    }
    if (this.rehoming) return;
    const { nc, subjects } = this.options;
    try {
      await nc.request(subjects.hello, undefined, { timeout: HOST_PROBE_MS });
    } catch (cause) {
      // Only "no responders" is certain; a slow host is left to the request timeout.
      if (cause instanceof errors.RequestError && cause.isNoResponders()) void this.rehome();
    }
  }

  /** Finds the session's host again (activating it), opens a new channel, sends parked requests. */
  private rehome(): Promise<void> {
    this.rehoming ??= (async () => {
      let channel: Channel | undefined;
      let failure: Error | undefined;
      try {
        channel = await this.handshake();
      } catch (err) {
        failure = err as Error;
        this.onerror?.(failure);
      } finally {
        this.rehoming = undefined;
      }
      // Everything in flight but not parked reached the old host: it may have run, so it is not sent again.
      const parked = new Set(this.parked);
      for (const request of [...this.inFlight.values()].filter((r) => !parked.has(r))) {
        this.fail(request, new OutcomeUnknownError(outcomeUnknown(this.sid, request.method)));
      }
      if (channel) this.endpoint.open(channel);
      for (const request of this.parked.splice(0)) {
        if (failure) this.fail(request, new NoRespondersError(failure.message));
        else this.endpoint.send(request);
      }
    })();
    return this.rehoming;
  }

  private fail(request: JSONRPCRequest, error: OutcomeUnknownError | NoRespondersError): void {
    this.inFlight.delete(request.id);
    this.resent.delete(request.id);
    this.onmessage?.(failureResponse(request.id, error));
  }

  /** Says hello until a host answers, asking the mesh to activate the session whenever none does. */
  private async handshake(): Promise<Channel> {
    const { nc, sid, identity, trust, subjects, handshakeTimeoutMs } = this.options;
    const deadline = Date.now() + handshakeTimeoutMs;
    let handshake = startHandshake(identity, sid, this.options.handshake);
    let welcome: Msg | undefined;
    while (!welcome) {
      const timeout = Math.max(1, Math.min(HELLO_ATTEMPT_MS, deadline - Date.now()));
      try {
        welcome = await nc.request(subjects.hello, handshake.hello, { timeout });
      } catch (cause) {
        if (!hostMissing(cause) || Date.now() >= deadline) {
          throw new TransportHandshakeError(handshakeFailure(cause, sid, handshakeTimeoutMs), { cause });
        }
        await activateSession(nc, subjects.activate, sid, Math.max(1, deadline - Date.now()));
        handshake = startHandshake(identity, sid, this.options.handshake);
      }
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

function outcomeUnknown(sid: string, method: string): string {
  return `Session ${sid} moved to another mesh node while ${method} was in flight; it may or may not have run, so it was not sent again. Check its effect before retrying.`;
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
