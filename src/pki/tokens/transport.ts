import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';

/** Where a request carries its session token: `params._meta["trustmesh/token"]` (MCP's reserved `_meta`). */
export const SESSION_TOKEN_META_KEY = 'trustmesh/token';

type Params = { _meta?: Record<string, unknown> } & Record<string, unknown>;

/** A request (it has a method and an id), as opposed to a notification or a response. */
export function isRequest(message: JSONRPCMessage): message is JSONRPCRequest {
  return 'method' in message && 'id' in message;
}

/** A copy of `message` whose request params carry `token`; notifications and responses pass unchanged. */
export function attachSessionToken(message: JSONRPCMessage, token: string): JSONRPCMessage {
  if (!isRequest(message)) return message;
  const params = (message.params ?? {}) as Params;
  return {
    ...message,
    params: { ...params, _meta: { ...params._meta, [SESSION_TOKEN_META_KEY]: token } },
  } as JSONRPCMessage;
}

/**
 * The token a request carries, and the request without it: nothing downstream of the session actor
 * (brokers, MCP servers, logs) ever sees a token. An empty `_meta` left behind is removed as well.
 */
export function takeSessionToken(message: JSONRPCMessage): {
  token: string | undefined;
  message: JSONRPCMessage;
} {
  const params = (message as { params?: Params }).params;
  const meta = params?._meta;
  if (!params || typeof meta !== 'object' || meta === null || !(SESSION_TOKEN_META_KEY in meta)) {
    return { token: undefined, message };
  }
  const { [SESSION_TOKEN_META_KEY]: token, ...restMeta } = meta;
  const { _meta: _dropped, ...restParams } = params;
  const stripped = Object.keys(restMeta).length > 0 ? { ...restParams, _meta: restMeta } : restParams;
  return {
    token: typeof token === 'string' ? token : undefined,
    message: { ...message, params: stripped } as JSONRPCMessage,
  };
}

/**
 * Wraps an agent's transport (e.g. a `NatsClientTransport` given to an SDK `Client`) so every request
 * it sends carries the session token the mesh verifies on every call. Handlers set on the wrapper
 * are set on the wrapped transport, so the SDK's Protocol sees the inner transport's events directly.
 */
export function withSessionToken(transport: Transport, token: string): Transport {
  if (typeof token !== 'string' || token === '') {
    throw new TypeError('withSessionToken needs the session token from the session file.');
  }
  return new SessionTokenTransport(transport, token);
}

class SessionTokenTransport implements Transport {
  constructor(
    private readonly inner: Transport,
    private readonly token: string,
  ) {}

  get onclose() {
    return this.inner.onclose;
  }
  set onclose(handler) {
    this.inner.onclose = handler;
  }
  get onerror() {
    return this.inner.onerror;
  }
  set onerror(handler) {
    this.inner.onerror = handler;
  }
  get onmessage() {
    return this.inner.onmessage;
  }
  set onmessage(handler) {
    this.inner.onmessage = handler;
  }
  get sessionId() {
    return this.inner.sessionId;
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    return this.inner.send(attachSessionToken(message, this.token), options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }
}
