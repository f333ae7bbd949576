import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import type { Msg, Subscription } from '@nats-io/transport-node';
import { acceptHandshake, type MeshHandshake } from './envelope/index.js';
import {
  InvalidRpcMessageError,
  TransportAlreadyStartedError,
  TransportClosedError,
  TransportHandshakeError,
} from './errors.js';
import { type NatsServerTransportOptions, type ParsedServerOptions, parseServerOptions } from './options.js';
import { Refusal, refuse } from './refusal.js';
import { drain, RpcEndpoint } from './rpc-endpoint.js';

// Only hellos can legitimately arrive before start(); a few are plenty, the rest are refused.
const MAX_EARLY_HELLOS = 8;

/**
 * The mesh end of one MCP session over NATS: give it to an SDK `Server`/`McpServer`. It answers
 * the agent's handshake on `<prefix>.s.<sid>.hello` (only keys in `trust` get a channel), then
 * serves requests from `c2s` and sends notifications and server→agent requests on `s2c`. Each
 * delivered message carries the agent's verified key id as `extra.authInfo.clientId`.
 */
export class NatsServerTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;
  readonly sessionId: string;

  private readonly options: ParsedServerOptions;
  private readonly endpoint: RpcEndpoint;
  private readonly helloSub: Subscription;
  /** Hellos that arrived before start(); undefined once started. */
  private early: Msg[] | undefined = [];
  private started = false;
  private listening = false;
  /** Timestamp of the hello behind the current channel; a re-handshake needs a newer one. */
  private channelHelloTs = Number.NEGATIVE_INFINITY;

  constructor(options: NatsServerTransportOptions) {
    this.options = parseServerOptions(options);
    const { nc, sid, subjects, requestTimeoutMs, inboxPrefix } = this.options;
    this.sessionId = sid;
    this.endpoint = new RpcEndpoint(this, {
      nc,
      sid,
      inbound: subjects.c2s,
      outbound: subjects.s2c,
      inboxPrefix,
      requestTimeoutMs,
      peer: 'agent',
      onConnectionClosed: () => void this.close(),
    });
    // Subscribed now, so an agent that says hello before start() waits instead of finding nobody.
    this.helloSub = nc.subscribe(subjects.hello, { callback: this.onHello });
  }

  async start(): Promise<void> {
    if (this.started) {
      throw new TransportAlreadyStartedError(
        'NatsServerTransport already started; note that Server.connect() calls start() for you.',
      );
    }
    this.started = true;
    if (this.endpoint.isClosed) {
      throw new TransportClosedError(
        `NatsServerTransport for session ${this.sessionId} was closed; create a new one to serve the session.`,
      );
    }
    const early = this.early ?? [];
    this.early = undefined;
    for (const msg of early) this.accept(msg);
    // Once start() resolves the hello subscription is live on the server, so an agent told to
    // connect now finds us (a subscription is otherwise registered asynchronously).
    await this.options.nc.flush();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    this.endpoint.send(message);
  }

  async close(): Promise<void> {
    if (this.endpoint.isClosed) return;
    drain(this.helloSub);
    this.early = undefined;
    this.endpoint.close();
    this.onclose?.();
  }

  private readonly onHello = (err: Error | null, msg: Msg): void => {
    if (err) this.endpoint.report(err);
    // An empty hello is the agent asking whether anyone still serves the session: it opens nothing.
    else if (msg.data.length === 0) respondEmpty(msg);
    else if (this.endpoint.isClosed) refuse(this.options.nc, msg.reply, Refusal.Closed);
    else if (!this.early) this.accept(msg);
    else if (this.early.length < MAX_EARLY_HELLOS) this.early.push(msg);
    else refuse(this.options.nc, msg.reply, Refusal.Busy);
  };

  private accept(msg: Msg): void {
    const { nc, sid, trust, identity, handshake } = this.options;
    if (!msg.reply) {
      this.endpoint.report(new InvalidRpcMessageError('A hello without a reply subject was dropped.'));
      return;
    }
    let accepted: MeshHandshake;
    try {
      accepted = acceptHandshake(msg.data, sid, trust, identity, handshake);
    } catch (cause) {
      this.endpoint.report(cause);
      refuse(nc, msg.reply, Refusal.Untrusted);
      return;
    }
    // A reconnecting agent (a restarted bridge) hands over with a fresh, newer hello signed by the
    // same trusted key; a replayed hello is never newer than the channel it would replace.
    if (accepted.helloTs <= this.channelHelloTs) {
      this.endpoint.report(
        new TransportHandshakeError(
          `A hello for session ${sid} no newer than its current channel was refused (a replay?).`,
        ),
      );
      refuse(nc, msg.reply, Refusal.Busy);
      return;
    }
    this.channelHelloTs = accepted.helloTs;
    if (!this.listening) {
      this.listening = true;
      // Subscribe to c2s before the welcome leaves: NATS keeps one connection's operations in
      // order, so the agent can never send a request that finds nobody listening.
      this.endpoint.listen();
    }
    this.endpoint.open(accepted.channel, {
      authInfo: {
        token: '',
        clientId: accepted.peerKid,
        scopes: [],
        extra: { sid, peerKid: accepted.peerKid },
      },
    });
    try {
      nc.publish(msg.reply, accepted.welcome);
    } catch (cause) {
      this.endpoint.report(cause);
    }
  }
}

function respondEmpty(msg: Msg): void {
  try {
    if (msg.reply) msg.respond();
  } catch {
    // Closed connection: the agent's probe times out, which says as much.
  }
}
