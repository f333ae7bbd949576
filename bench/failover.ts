import type { JsonWebKey } from 'node:crypto';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { FilePinStore, ToolBroker } from '../src/actors/broker/index.js';
import { MeshControl, type SessionDescriptor } from '../src/actors/control/index.js';
import {
  DEFAULT_LEASE_MS,
  loadNodeState,
  MeshNode,
  nodeStatePaths,
  sessionTokenIssuer,
} from '../src/actors/node/index.js';
import { SERVICE_CONNECTION } from '../src/cli/mesh-connection.js';
import { loadOrCreatePrivateJwk, publicJwkOf } from '../src/pki/key-store.js';
import { MeshTrust } from '../src/pki/signer/index.js';
import { withSessionToken } from '../src/pki/tokens/index.js';
import {
  generateKeyPair,
  importVerifyingKey,
  KeyRing,
  NatsClientTransport,
  newSessionId,
  sessionConnectOptions,
} from '../src/transport/index.js';
import { type BenchPki, benchPki } from './mesh-pki.js';
import { ECHO_TEXT } from './runner/payload.js';
import { percentile } from './runner/stats.js';

const SERVER = 'echo';
const TOOL = `${SERVER}.echo`;
const POLICY = `
catalogue:
  ${SERVER}:
    tools:
      echo: { effect: read }
purposes:
  bench:
    tools:
      ${TOOL}: { allowed: true }
`;
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const ECHO_SERVER = new URL('../test/fixtures/echo-server.ts', import.meta.url).href;
const ECHO_SERVER_MAIN = [
  "const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');",
  'const { createEchoServer } = await import(process.argv[1]);',
  'await createEchoServer().connect(new StdioServerTransport());',
].join('\n');
const FAILOVER_ROUNDS = 3;
const CONTAINMENT_ROUNDS = 200;
const IDLE_SESSIONS = 1_000;
const GIB = 1024 ** 3;

export interface FailoverOptions {
  url: string;
}

/**
 * Placement figures, in-process on one nats-server:
 * - `failover_ms`: the host of a session dies (its NATS connection closes: subscriptions gone, lease not
 *   renewed); the worst of 3 rounds of "first call after the death until its answer", which covers the
 *   lease lapsing, activation on the other node from the snapshot and the agent's new handshake.
 *   `lease_ms` beside it is the configured lease, the floor of any failover.
 * - `containment_propagation_p99_ms`: an operator's `suspend` from its own connection until the host
 *   confirms the session is suspended (the next call is decided in that state), over 200 rounds.
 * - `sessions_per_gib`: idle sessions one node hosts per GiB of RSS growth (1,000 sessions).
 */
export async function benchFailover(options: FailoverOptions): Promise<Record<string, number>> {
  const mesh = await BenchCluster.start(options.url);
  try {
    const failover: number[] = [];
    for (let round = 0; round < FAILOVER_ROUNDS; round++) failover.push(await mesh.failoverOnce());
    const containment = (await mesh.containment(CONTAINMENT_ROUNDS)).sort((a, b) => a - b);
    const perGib = await mesh.idleSessionsPerGib(IDLE_SESSIONS);
    return {
      failover_ms: Math.round(Math.max(...failover)),
      lease_ms: DEFAULT_LEASE_MS,
      containment_propagation_p50_ms: round2(percentile(containment, 50)),
      containment_propagation_p99_ms: round2(percentile(containment, 99)),
      sessions_per_gib: Math.round(perGib),
    };
  } finally {
    await mesh.stop();
  }
}

class BenchCluster {
  readonly #teardown: Array<() => Promise<unknown>> = [];
  readonly #nodes: { node: MeshNode; nc: NatsConnection }[] = [];
  #control!: MeshControl;
  #tokenKey!: JsonWebKey;
  #pki!: BenchPki;
  #nodeKey!: ReturnType<typeof importVerifyingKey>;
  #root!: string;
  #names = 0;

  private constructor(private readonly url: string) {}

  static async start(url: string): Promise<BenchCluster> {
    const cluster = new BenchCluster(url);
    try {
      await cluster.#setUp();
      return cluster;
    } catch (err) {
      await cluster.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    for (const step of this.#teardown.splice(0).reverse()) await step().catch(() => undefined);
  }

  async failoverOnce(): Promise<number> {
    const { sid, client } = await this.#session();
    await echo(client);
    const host = this.#nodes.find((member) => member.node.session(sid));
    if (!host) throw new Error(`no node hosts session ${sid}`);
    await host.nc.close();
    this.#nodes.splice(this.#nodes.indexOf(host), 1);
    const started = performance.now();
    await echo(client);
    const elapsed = performance.now() - started;
    await host.node.close().catch(() => undefined);
    await this.#addNode();
    return elapsed;
  }

  async containment(rounds: number): Promise<number[]> {
    const { sid } = await this.#session();
    const request = { reason: 'bench', operator: 'bench@example.com' };
    const samples: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const started = performance.now();
      const summary = await this.#control.suspend(sid, request);
      samples.push(performance.now() - started);
      if (summary.state !== 'suspended') throw new Error(`suspend left session ${sid} ${summary.state}`);
      await this.#control.resume(sid, request);
    }
    return samples;
  }

  async idleSessionsPerGib(count: number): Promise<number> {
    const before = process.memoryUsage().rss;
    const sids: string[] = [];
    for (let i = 0; i < count; i++) sids.push(await this.#register());
    const hosted = () => sids.filter((sid) => this.#nodes.some((m) => m.node.session(sid))).length;
    const deadline = Date.now() + 120_000;
    while (hosted() < count) {
      if (Date.now() > deadline) throw new Error(`only ${hosted()} of ${count} sessions came up`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const grown = Math.max(1, process.memoryUsage().rss - before);
    return count / (grown / GIB);
  }

  async #setUp(): Promise<void> {
    this.#root = await mkdtemp(join(tmpdir(), 'trustmesh-bench-failover-'));
    this.#teardown.push(() => rm(this.#root, { recursive: true, force: true }));
    await writeFile(join(this.#root, 'policy.yaml'), POLICY);
    const keys = join(this.#root, 'mesh');
    const { tokenKey } = await loadNodeState(keys);
    this.#tokenKey = tokenKey;
    this.#pki = await benchPki();
    this.#nodeKey = importVerifyingKey(
      publicJwkOf(await loadOrCreatePrivateJwk(nodeStatePaths(keys).identity)),
    );
    const broker = new ToolBroker({
      connection: await this.#connection(SERVICE_CONNECTION),
      server: SERVER,
      upstream: {
        kind: 'stdio',
        command: process.execPath,
        args: ['--import', 'tsx', '--input-type=module', '--eval', ECHO_SERVER_MAIN, ECHO_SERVER],
        cwd: REPO_ROOT,
      },
      identity: await this.#pki.issue('broker', SERVER),
      trust: new MeshTrust({ anchors: this.#pki.anchors, revocations: { isRevoked: () => false } }),
      pinStore: new FilePinStore(this.#root),
      allowedCommands: [basename(process.execPath)],
    });
    this.#teardown.push(() => broker.drain());
    await broker.start();
    await broker.waitForState(['ready'], 15_000);
    this.#control = new MeshControl({ nc: await this.#connection() });
    await this.#addNode();
    await this.#addNode();
  }

  async #addNode(): Promise<void> {
    const name = `node${++this.#names}`;
    const stateDir = join(this.#root, name);
    await cp(join(this.#root, 'mesh', 'keys'), join(stateDir, 'keys'), { recursive: true });
    const nc = await this.#connection(SERVICE_CONNECTION);
    const node = await MeshNode.start({
      nc,
      stateDir,
      signer: await this.#pki.issue('node', name),
      anchors: this.#pki.anchors,
      policyPaths: [join(this.#root, 'policy.yaml')],
      placement: { name },
    });
    this.#teardown.push(() => node.close());
    this.#nodes.push({ node, nc });
  }

  async #register(): Promise<string> {
    const sid = newSessionId();
    const now = Date.now();
    await this.#control.createSession({
      sid,
      principal: 'bench@example.com',
      purpose: 'bench',
      agentPublicKey: generateKeyPair('ed25519').publicJwk as SessionDescriptor['agentPublicKey'],
      createdAt: now,
      expiresAt: now + 3_600_000,
    });
    return sid;
  }

  async #session(): Promise<{ sid: string; client: Client }> {
    const sid = newSessionId();
    const keys = generateKeyPair('ed25519');
    const now = Date.now();
    await this.#control.createSession({
      sid,
      principal: 'bench@example.com',
      purpose: 'bench',
      agentPublicKey: keys.publicJwk as SessionDescriptor['agentPublicKey'],
      createdAt: now,
      expiresAt: now + 3_600_000,
    });
    const { token } = await sessionTokenIssuer(this.#tokenKey).issue({
      sessionId: sid,
      principal: 'bench@example.com',
      purpose: 'bench',
      tier: 'standard',
      tools: [TOOL],
      agentKey: keys.publicJwk,
      ttlMs: 3_600_000,
    });
    const client = new Client({ name: 'bench-agent', version: '1.0.0' });
    const transport = new NatsClientTransport({
      nc: await this.#connection(sessionConnectOptions('tm', sid)),
      sid,
      identity: keys.signingKey,
      trust: new KeyRing([this.#nodeKey]),
    });
    await client.connect(withSessionToken(transport, token));
    this.#teardown.push(() => client.close());
    return { sid, client };
  }

  async #connection(extra: object = {}): Promise<NatsConnection> {
    const nc = await connect({ servers: this.url, ...extra });
    this.#teardown.push(() => nc.close());
    return nc;
  }
}

async function echo(client: Client): Promise<void> {
  const result = await client.callTool({ name: TOOL, arguments: { text: ECHO_TEXT } });
  if (result.isError) throw new Error(`echo call failed: ${JSON.stringify(result.content)}`);
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
