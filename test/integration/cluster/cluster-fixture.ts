import type { JsonWebKey } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { FilePinStore, ToolBroker } from '../../../src/actors/broker/index.js';
import { MeshControl, type SessionDescriptor } from '../../../src/actors/control/index.js';
import {
  loadNodeState,
  MeshNode,
  type MeshNodeOptions,
  nodeStatePaths,
  sessionTokenIssuer,
} from '../../../src/actors/node/index.js';
import { publicJwkOf } from '../../../src/pki/key-store.js';
import { withSessionToken } from '../../../src/pki/tokens/index.js';
import {
  generateKeyPair,
  importVerifyingKey,
  KeyRing,
  NatsClientTransport,
  newSessionId,
  sessionConnectOptions,
  type VerifyingKey,
} from '../../../src/transport/index.js';
import { fixtureCommand } from '../../fixtures/mcp/servers.js';
import { createTestPki } from '../../support/mesh-pki.js';
import { startNats } from '../../support/nats-harness.js';
import { POLICY, policyGrant, until } from '../actors/session/mesh-fixture.js';

export { until };

/** One in-process mesh node of the cluster, on its own NATS connection (closing it is the node dying). */
export interface ClusterNode {
  readonly node: MeshNode;
  readonly nc: NatsConnection;
}

export interface Cluster {
  readonly url: string;
  readonly control: MeshControl;
  readonly nodes: ClusterNode[];
  /** Every `tools/call` the GitHub-like fixture received, one JSON line each. */
  readonly callLog: string;
  /** Starts one more node with its own state directory holding the mesh's keys. */
  addNode(name: string): Promise<ClusterNode>;
  /** Registers a session (hosted by whichever node claims it) and connects an SDK client to it. */
  session(purpose: string): Promise<{ sid: string; client: Client }>;
  /** Which node hosts `sid` right now. */
  hostOf(sid: string): ClusterNode | undefined;
  executions(): Promise<number>;
}

/** A real nats-server, a broker in front of the GitHub-like fixture, and `size` mesh nodes sharing keys. */
export async function startCluster(
  size: number,
  placement: MeshNodeOptions['placement'] = {},
): Promise<Cluster & { stop(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'trustmesh-cluster-'));
  const nats = await startNats();
  const keysDir = join(root, 'mesh');
  await writeFile(join(root, 'policy.yaml'), POLICY);
  const { tokenKey } = await loadNodeState(keysDir);
  const pki = await createTestPki();
  const meshKey = await meshKeyOf(keysDir);
  const callLog = join(root, 'calls.jsonl');
  await writeFile(callLog, '');
  const connections: NatsConnection[] = [];
  const open = async () => {
    const nc = await connect({ servers: nats.url, reconnect: false });
    connections.push(nc);
    return nc;
  };
  const broker = new ToolBroker({
    connection: await open(),
    server: 'github',
    upstream: { kind: 'stdio', ...fixtureCommand('github', { callLog }) },
    identity: await pki.identity('broker', 'github'),
    trust: pki.trust(),
    pinStore: new FilePinStore(root),
    allowedCommands: [basename(process.execPath)],
  });
  await broker.start();
  await broker.waitForState(['ready'], 15_000);
  const control = new MeshControl({ nc: await open() });
  const nodes: ClusterNode[] = [];
  const cluster = {
    url: nats.url,
    control,
    nodes,
    callLog,
    async addNode(name: string) {
      const stateDir = join(root, name);
      await cp(join(keysDir, 'keys'), join(stateDir, 'keys'), { recursive: true });
      const nc = await open();
      const node = await MeshNode.start({
        nc,
        stateDir,
        signer: await pki.identity('node', name),
        anchors: pki.anchors,
        policyPaths: [join(root, 'policy.yaml')],
        placement: { name, ...placement },
        log: (line) => process.env.TM_LOG && console.error(name, line),
      });
      const member = { node, nc };
      nodes.push(member);
      return member;
    },
    async session(purpose: string) {
      const agent = await openAgent({ servers: nats.url, control, tokenKey, meshKey, purpose });
      connections.push(agent.nc);
      await until(async () => cluster.hostOf(agent.sid) !== undefined);
      await agent.connect();
      return agent;
    },
    hostOf(sid: string) {
      return nodes.find((member) => !member.nc.isClosed() && member.node.session(sid) !== undefined);
    },
    async executions() {
      return (await readFile(callLog, 'utf8')).split('\n').filter(Boolean).length;
    },
    async stop() {
      await Promise.allSettled(nodes.map((member) => member.node.close()));
      await broker.drain();
      await Promise.allSettled(connections.map((nc) => nc.close()));
      await rm(root, { recursive: true, force: true });
    },
  };
  for (let i = 1; i <= size; i++) await cluster.addNode(`node${i}`);
  return cluster;
}

export interface AgentOptions {
  readonly servers: string | string[];
  readonly control: MeshControl;
  /** The mesh's session-token key (private JWK) and node identity key (public). */
  readonly tokenKey: JsonWebKey;
  readonly meshKey: VerifyingKey;
  readonly purpose: string;
  /** @default 10_000 */
  readonly requestTimeoutMs?: number;
}

/** Registers a session and opens its agent: call `connect()` once a node serves it. */
export async function openAgent(options: AgentOptions) {
  const sid = newSessionId();
  const keys = generateKeyPair('ed25519');
  const now = Date.now();
  const descriptor: SessionDescriptor = {
    sid,
    principal: 'alice@example.com',
    purpose: options.purpose,
    agentPublicKey: keys.publicJwk as SessionDescriptor['agentPublicKey'],
    createdAt: now,
    expiresAt: now + 3_600_000,
  };
  await options.control.createSession(descriptor);
  const { token } = await sessionTokenIssuer(options.tokenKey).issue({
    sessionId: sid,
    principal: descriptor.principal,
    purpose: options.purpose,
    ...policyGrant(options.purpose),
    agentKey: keys.publicJwk,
  });
  const nc = await connect({ servers: options.servers, ...sessionConnectOptions('tm', sid) });
  const client = new Client({ name: 'agent', version: '1.0.0' });
  const transport = new NatsClientTransport({
    nc,
    sid,
    identity: keys.signingKey,
    trust: new KeyRing([options.meshKey]),
    requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
  });
  return { sid, client, nc, connect: () => client.connect(withSessionToken(transport, token)) };
}

/** The public half of the node identity key in `stateDir`: what agents trust. */
export async function meshKeyOf(stateDir: string): Promise<VerifyingKey> {
  return importVerifyingKey(
    publicJwkOf(JSON.parse(await readFile(nodeStatePaths(stateDir).identity, 'utf8'))),
  );
}
