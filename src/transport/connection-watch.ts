import type { NatsConnection } from '@nats-io/transport-node';

/** What a transport wants to hear about its NATS connection. */
export interface ConnectionListener {
  /** The socket dropped; requests in flight will not be answered (the client may reconnect). */
  onDisconnect(): void;
  /** The connection is closed for good. */
  onClosed(): void;
}

// A mesh node serves thousands of sessions over one connection: one status iterator per
// connection fans out to every transport, instead of one iterator per transport.
const watched = new WeakMap<NatsConnection, Set<ConnectionListener>>();

/** Registers `listener` for `nc`'s disconnects and close; returns the function that unregisters it. */
export function watchConnection(nc: NatsConnection, listener: ConnectionListener): () => void {
  let listeners = watched.get(nc);
  if (!listeners) {
    listeners = new Set();
    watched.set(nc, listeners);
    follow(nc, listeners);
  }
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

function follow(nc: NatsConnection, listeners: Set<ConnectionListener>): void {
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') notify(listeners, 'onDisconnect');
    }
  })();
  // closed() resolves, never rejects, whatever the reason the connection ended.
  void nc.closed().then(() => notify(listeners, 'onClosed'));
}

function notify(listeners: Set<ConnectionListener>, event: keyof ConnectionListener): void {
  // A listener may unregister (close its transport) while we iterate: iterate a copy.
  for (const listener of [...listeners]) listener[event]();
}
