import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type {
  JSONRPCMessage,
  JSONRPCRequest,
  MessageExtraInfo,
  RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { createInbox, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { type Attributes, context, type Span, SpanKind, trace } from '@opentelemetry/api';
import {
  Attr,
  contextFrom,
  endFailed,
  endMcpSpan,
  endThrown,
  type McpOutcome,
  Scope,
  startMcpSpan,
  type TraceContext,
  traceContextOf,
  tracer,
} from '../telemetry/index.js';
import { watchConnection } from './connection-watch.js';
import { traceProblem } from './envelope/fields.js';
import type { Channel, OpenExpectation } from './envelope/index.js';
import { EnvelopeKind } from './envelope/types.js';
import {
  InvalidRpcMessageError,
  PublishError,
  type TransportError,
  TransportNotStartedError,
  UnknownResponseError,
} from './errors.js';
import {
  closedLocally,
  disconnected,
  type FailureContext,
  noResponders,
  refused,
  timedOut,
} from './failures.js';
import { isNoResponders, Refusal, readRefusal, refuse } from './refusal.js';
import { decodeRpc, encodeRpc, failureResponse, RpcKind, rpcId, rpcKind } from './rpc-codec.js';

/** The transport an endpoint serves; read at dispatch time, as the SDK wraps these after start(). */
export type EndpointHost = Pick<Transport, 'onmessage' | 'onerror'>;

export interface EndpointConfig extends FailureContext {
  nc: NatsConnection;
  /** Subject this end receives requests and notifications on. */
  inbound: string;
  /** Subject this end sends requests and notifications to. */
  outbound: string;
  /** This end's replies arrive below `<inboxPrefix>.<unique>`. */
  inboxPrefix: string;
  requestTimeoutMs: number;
  /** Called once when the NATS connection closes for good. */
  onConnectionClosed: () => void;
}

interface PendingRequest {
  id: RequestId;
  method: string;
  timer: NodeJS.Timeout;
  /** The request's CLIENT span, ended when its answer or failure is delivered. */
  span: Span;
}

/** An incoming request waiting for its answer: where it goes, and the request's SERVER span. */
interface Unanswered {
  reply: string;
  span: Span;
}

const RPC_ONLY: readonly EnvelopeKind[] = [EnvelopeKind.Rpc];
// Only the agent end queues, for the instant between the welcome and its channel being set.
const MAX_EARLY_MESSAGES = 64;

/**
 * One end of a session's JSON-RPC exchange over NATS, the same for agent and mesh: requests go out
 * as NATS requests with replies to this end's own inbox, notifications are published, and the
 * answer to an incoming request goes to that request's reply subject. Every payload is sealed
 * with the session channel; nothing unverified reaches `onmessage`.
 */
export class RpcEndpoint {
  private channel: Channel | undefined;
  private extra: MessageExtraInfo | undefined;
  private closed = false;
  private readonly subs: Subscription[] = [];
  private unwatch: (() => void) | undefined;
  private early: Msg[] = [];
  /** Requests this end sent, by the token that ends their reply subject. */
  private readonly pending = new Map<number, PendingRequest>();
  /** Incoming requests this end has not answered yet, by request id. */
  private readonly replyTo = new Map<RequestId, Unanswered>();
  private readonly replyPrefix: string;
  /** What every envelope this end opens must be: this session's, and an rpc. */
  private readonly expectation: OpenExpectation;
  private nextToken = 1;
  private readonly spanAttributes: Attributes;

  constructor(
    private readonly host: EndpointHost,
    private readonly config: EndpointConfig,
  ) {
    this.replyPrefix = createInbox(config.inboxPrefix);
    this.expectation = { sid: config.sid, kinds: RPC_ONLY };
    this.spanAttributes = {
      [Attr.McpSessionId]: config.sid,
      [Attr.NetworkTransport]: 'tcp',
      [Attr.NetworkProtocolName]: 'nats',
    };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Subscribes to the inbound subject and the reply inbox; messages are held until `open()`. */
  listen(): void {
    const { nc, inbound } = this.config;
    this.subs.push(nc.subscribe(inbound, { callback: this.onInbound }));
    this.subs.push(nc.subscribe(`${this.replyPrefix}.*`, { callback: this.onReply }));
    this.unwatch = watchConnection(nc, {
      onDisconnect: () => this.failAll(disconnected(this.config)),
      onClosed: () => this.config.onConnectionClosed(),
    });
  }

  /** The channel is up: releases held messages; `extra` goes with every delivered message. */
  open(channel: Channel, extra?: MessageExtraInfo): void {
    this.channel = channel;
    this.extra = extra;
    const early = this.early;
    this.early = [];
    for (const msg of early) this.receive(msg);
  }

  send(message: JSONRPCMessage): void {
    if (this.closed) throw closedLocally(this.config);
    const kind = rpcKind(message);
    if (!this.channel) {
      // Like a NATS publish with no subscriber: a notification before any peer exists goes nowhere.
      if (kind === RpcKind.Notification) return;
      throw new TransportNotStartedError(
        `Session ${this.config.sid} has no channel yet (the ${this.config.peer} has not completed the handshake); start() first.`,
      );
    }
    if (kind === RpcKind.Request) this.request(message as JSONRPCRequest);
    else if (kind === RpcKind.Notification) this.publish(this.config.outbound, message);
    else this.respond(message);
  }

  /** Unsubscribes, refuses unanswered incoming requests and fails outgoing ones. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unwatch?.();
    for (const sub of this.subs) drain(sub);
    for (const { reply, span } of this.replyTo.values()) {
      refuse(this.config.nc, reply, Refusal.Closed);
      endFailed(span, Refusal.Closed, 'the session closed before answering');
    }
    this.replyTo.clear();
    this.early = [];
    this.failAll(closedLocally(this.config));
  }

  /** Hands `err` to the host's onerror; never throws (we may be inside a NATS callback). */
  report(err: unknown): void {
    try {
      this.host.onerror?.(err instanceof Error ? err : new Error(String(err)));
    } catch {
      // An error handler that throws has nowhere further to report to.
    }
  }

  private request(message: JSONRPCRequest): void {
    const token = this.nextToken++;
    const active = context.active();
    const span = startMcpSpan(tracer(Scope.Transport), SpanKind.CLIENT, message, active, this.spanAttributes);
    // The envelope's trace field is sealed with the message: the receiver can trust where it points.
    const traced = sealable(traceContextOf(trace.setSpan(active, span)));
    try {
      // The reply cannot arrive before this returns (NATS delivers on a later tick): register after.
      this.publish(this.config.outbound, message, `${this.replyPrefix}.${token}`, traced);
    } catch (err) {
      endThrown(span, err);
      throw err;
    }
    const timer = setTimeout(this.onTimeout, this.config.requestTimeoutMs, token);
    this.pending.set(token, { id: message.id, method: message.method, timer, span });
  }

  private respond(message: JSONRPCMessage): void {
    const id = rpcId(message);
    const unanswered = id === undefined ? undefined : this.replyTo.get(id);
    if (id === undefined || unanswered === undefined) {
      throw new UnknownResponseError(
        `No request with id ${JSON.stringify(id)} is waiting for an answer on session ${this.config.sid}; the response was not sent.`,
      );
    }
    this.replyTo.delete(id);
    try {
      this.publish(unanswered.reply, message);
    } finally {
      endMcpSpan(unanswered.span, message as McpOutcome);
    }
  }

  private publish(subject: string, message: JSONRPCMessage, reply?: string, traced?: TraceContext): void {
    const sealed = this.channel!.sealer.seal(EnvelopeKind.Rpc, this.config.sid, encodeRpc(message), traced);
    try {
      this.config.nc.publish(subject, sealed, reply === undefined ? undefined : { reply });
    } catch (cause) {
      throw new PublishError(
        `Could not publish on session ${this.config.sid} (${(cause as Error).message}); check the NATS connection.`,
        { cause },
      );
    }
  }

  private readonly onInbound = (err: Error | null, msg: Msg): void => {
    if (err) this.report(err);
    else if (this.closed) refuse(this.config.nc, msg.reply, Refusal.Closed);
    else if (this.channel) this.receive(msg);
    else if (this.early.length < MAX_EARLY_MESSAGES) this.early.push(msg);
    else {
      this.report(
        new InvalidRpcMessageError('Too many messages arrived before the channel was up; dropped one.'),
      );
      refuse(this.config.nc, msg.reply, Refusal.Rejected);
    }
  };

  private receive(msg: Msg): void {
    const unsealed = this.unseal(msg);
    if (!unsealed) return;
    const { message } = unsealed;
    const kind = rpcKind(message);
    if (kind === RpcKind.Response) {
      this.report(new InvalidRpcMessageError('A response arrived on the request subject; dropped it.'));
      return;
    }
    if (kind === RpcKind.Request) {
      const id = rpcId(message)!;
      if (!msg.reply || this.replyTo.has(id)) {
        this.report(
          new InvalidRpcMessageError(
            `Request ${JSON.stringify(id)} has no reply subject or reuses a pending id.`,
          ),
        );
        refuse(this.config.nc, msg.reply, Refusal.Rejected);
        return;
      }
      const request = message as JSONRPCRequest;
      const parent = contextFrom(unsealed.trace);
      const span = startMcpSpan(
        tracer(Scope.Transport),
        SpanKind.SERVER,
        request,
        parent,
        this.spanAttributes,
      );
      this.replyTo.set(id, { reply: msg.reply, span });
      // Whatever handles the request (token gate, SDK server, call path) runs inside its span.
      context.with(trace.setSpan(parent, span), () => this.deliver(message));
      return;
    }
    this.deliver(message);
  }

  private readonly onReply = (err: Error | null, msg: Msg): void => {
    if (this.closed) return; // its request was already failed by close()
    if (err) {
      this.report(err);
      return;
    }
    const token = Number(msg.subject.slice(this.replyPrefix.length + 1));
    const entry = this.pending.get(token);
    if (!entry) {
      this.report(
        new UnknownResponseError('A reply arrived for no pending request (late or forged); dropped it.'),
      );
      return;
    }
    clearTimeout(entry.timer);
    this.pending.delete(token);
    if (isNoResponders(msg)) {
      this.fail(entry, noResponders(this.config, this.config.outbound));
      return;
    }
    const refusal = readRefusal(msg) ?? this.acceptReply(msg, entry);
    if (refusal) this.fail(entry, refused(this.config, refusal, entry.method));
  };

  /** Delivers the answer in `msg` if it verifies and answers `entry`; otherwise a refusal. */
  private acceptReply(msg: Msg, entry: PendingRequest): Refusal | undefined {
    const message = this.unseal(msg)?.message;
    if (!message) return Refusal.Rejected;
    if (rpcKind(message) !== RpcKind.Response || rpcId(message) !== entry.id) {
      this.report(
        new InvalidRpcMessageError(`The answer to ${entry.method} is not its response; dropped it.`),
      );
      return Refusal.Rejected;
    }
    // The SDK runs a notification's handler one microtask after delivery but settles a response at
    // once, and NATS hands over a whole socket read in one go: a response delivered one microtask
    // late still comes after the handlers of the notifications that preceded it (progress, say),
    // which would otherwise find their request already settled. A microtask, not a macrotask
    // (setImmediate): it costs no extra turn of the event loop.
    queueMicrotask(() => this.deliverLater(message));
    endMcpSpan(entry.span, message as McpOutcome);
    return undefined;
  }

  private readonly onTimeout = (token: number): void => {
    const entry = this.pending.get(token);
    if (!entry) return;
    this.pending.delete(token);
    this.fail(entry, timedOut(this.config, entry.method, this.config.requestTimeoutMs));
  };

  /** Opens and parses a message; on failure reports it, refuses its request, and returns undefined. */
  private unseal(msg: Msg): { message: JSONRPCMessage; trace?: TraceContext | undefined } | undefined {
    try {
      const envelope = this.channel!.opener.open(msg.data, this.expectation);
      return { message: decodeRpc(envelope.body), trace: envelope.header.trace };
    } catch (err) {
      this.report(err);
      refuse(this.config.nc, msg.reply, Refusal.Rejected);
      return undefined;
    }
  }

  private deliverLater(message: JSONRPCMessage): void {
    if (!this.closed) this.deliver(message);
  }

  private deliver(message: JSONRPCMessage): void {
    try {
      this.host.onmessage?.(message, this.extra);
    } catch (err) {
      // We are inside a NATS callback: a throwing handler must not take the connection down.
      this.report(err);
    }
  }

  private fail(entry: PendingRequest, error: TransportError): void {
    endFailed(entry.span, error.code, error.message);
    this.deliver(failureResponse(entry.id, error));
  }

  /** Fails every request in flight at once with `error`, as JSON-RPC error responses. */
  private failAll(error: TransportError): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) {
      clearTimeout(entry.timer);
      this.fail(entry, error);
    }
  }
}

/** A trace context the envelope accepts: an oversize `tracestate` (a caller's) is dropped, never the call. */
function sealable(traced: TraceContext | undefined): TraceContext | undefined {
  if (traced === undefined || traceProblem(traced) === undefined) return traced;
  const parent = { traceparent: traced.traceparent };
  return traceProblem(parent) === undefined ? parent : undefined;
}

/**
 * Unsubscribes without dropping what is already on its way: messages the server routed before the
 * unsubscription still reach the callback (which refuses them once closed), so their senders fail
 * at once instead of waiting out their timeout. Never throws: the connection may be gone.
 */
export function drain(sub: Subscription): void {
  sub.drain().catch(() => {
    // Closed connection: nothing is on its way any more.
  });
}
