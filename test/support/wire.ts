import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListRootsRequestSchema, type Root } from '@modelcontextprotocol/sdk/types.js';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { NatsServerProcess } from '../../src/natsd/index.js';
import {
  generateKeyPair,
  type KeyPair,
  KeyRing,
  NatsClientTransport,
  NatsServerTransport,
  newSessionId,
  sessionConnectOptions,
} from '../../src/transport/index.js';

export type WireKind = 'in-memory' | 'nats';
export const WIRE_KINDS: readonly WireKind[] = ['in-memory', 'nats'];

export interface WireOptions {
  /** nats-server to use. @default a fresh one from the test harness */
  url?: string;
  /** The agent transport's request timeout (nats only). @default the transport's */
  requestTimeoutMs?: number;
  /** What the client answers `roots/list` with. @default one root, file:///workspace */
  roots?: Root[];
}

/** The NATS side of a wiring, for tests that break things on purpose. */
export interface NatsWiring {
  /** The harness's server; undefined when `url` was given. */
  server: NatsServerProcess | undefined;
  sid: string;
  agent: NatsConnection;
  mesh: NatsConnection;
  agentKeys: KeyPair;
  meshKeys: KeyPair;
  clientTransport: NatsClientTransport;
  serverTransport: NatsServerTransport;
  /** Closes both connections. */
  close(): Promise<void>;
}

export interface Wired {
  client: Client;
  /** Closes client, server and (nats) both connections; idempotent. */
  close(): Promise<void>;
  nats?: NatsWiring;
}

const DEFAULT_ROOTS: Root[] = [{ uri: 'file:///workspace', name: 'workspace' }];

/**
 * Connects an SDK `Client` to `server` over the given transport, so one scenario runs unchanged on
 * the SDK's in-memory transport and on trustmesh's NATS transport (agent and mesh on their own
 * connections, each with its own key, exactly as across processes).
 */
export async function wire(kind: WireKind, server: McpServer, options: WireOptions = {}): Promise<Wired> {
  const client = new Client(
    { name: 'trustmesh-test-client', version: '1.0.0' },
    { capabilities: { roots: {} } },
  );
  const roots = options.roots ?? DEFAULT_ROOTS;
  client.setRequestHandler(ListRootsRequestSchema, () => ({ roots }));
  if (kind === 'in-memory') {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    await client.connect(clientSide);
    return { client, close: once(() => closeAll(client, server)) };
  }
  const nats = await natsPair(options);
  await server.connect(nats.serverTransport);
  await client.connect(nats.clientTransport);
  return {
    client,
    nats,
    close: once(async () => {
      await closeAll(client, server);
      await nats.close();
    }),
  };
}

/**
 * A session's two transports, not started, each on its own connection with its own key; the mesh
 * trusts the agent's key and the agent the mesh's.
 */
export async function natsPair(options: WireOptions = {}): Promise<NatsWiring> {
  // Imported only when needed: the harness registers vitest hooks, and benches wire with `url`.
  const process = options.url ? undefined : await (await import('./nats-harness.js')).startNats();
  const url = options.url ?? process!.url;
  const sid = newSessionId();
  const agentKeys = generateKeyPair('ed25519');
  const meshKeys = generateKeyPair('ed25519');
  const agent = await connect({ servers: url, ...sessionConnectOptions('tm', sid) });
  const mesh = await connect({ servers: url });
  const serverTransport = new NatsServerTransport({
    nc: mesh,
    sid,
    identity: meshKeys.signingKey,
    trust: new KeyRing([agentKeys.verifyingKey]),
  });
  const clientTransport = new NatsClientTransport({
    nc: agent,
    sid,
    identity: agentKeys.signingKey,
    trust: new KeyRing([meshKeys.verifyingKey]),
    requestTimeoutMs: options.requestTimeoutMs,
  });
  return {
    server: process,
    sid,
    agent,
    mesh,
    agentKeys,
    meshKeys,
    clientTransport,
    serverTransport,
    close: async () => {
      await Promise.allSettled([agent.close(), mesh.close()]);
    },
  };
}

async function closeAll(client: Client, server: McpServer): Promise<void> {
  await client.close();
  await server.close();
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= fn();
    return done;
  };
}
