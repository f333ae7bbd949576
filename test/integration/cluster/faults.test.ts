import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { jetstream } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { FilePinStore, ToolBroker } from '../../../src/actors/broker/index.js';
import { MeshControl } from '../../../src/actors/control/index.js';
import { loadNodeState, type NodeState, PLACEMENT_BUCKET } from '../../../src/actors/node/index.js';
import { SessionRpcCode } from '../../../src/actors/session/index.js';
import { loadIdentity } from '../../../src/cli/mesh-identity.js';
import { MeshTrust } from '../../../src/pki/signer/index.js';
import type { VerifyingKey } from '../../../src/transport/index.js';
import { fixtureCommand } from '../../fixtures/mcp/servers.js';
import { issueSigningLeaves } from '../../support/mesh-pki.js';
import { type NatsCluster, startNatsCluster } from '../../support/nats-harness.js';
import { refusal } from '../../support/refusal.js';
import { POLICY } from '../actors/session/mesh-fixture.js';
import { meshKeyOf, openAgent, until } from './cluster-fixture.js';
import { killNodeProcesses, type NodeProcess, startNodeProcess } from './node-process.js';

const LEASE_MS = 1_000;
const REPLICAS = 3;

/** Real `trustmesh node` processes on a 3-server NATS cluster; nodes are killed, stopped and resumed. */
describe('faults: mesh node processes on a 3-server cluster', () => {
  let nats: NatsCluster;
  let root: string;
  let state: NodeState;
  let meshKey: VerifyingKey;
  let control: MeshControl;
  let operator: NatsConnection;
  let placement: KV;
  let broker: ToolBroker;
  const callLog = () => join(root, 'calls.jsonl');

  beforeAll(async () => {
    nats = await startNatsCluster(3);
    root = await mkdtemp(join(tmpdir(), 'trustmesh-faults-'));
    await writeFile(join(root, 'policy.yaml'), POLICY);
    await writeFile(callLog(), '');
    state = await loadNodeState(join(root, 'mesh'));
    // Every node process signs with the node leaf under <root>/mesh/pki (node-process passes --pki).
    await issueSigningLeaves(join(root, 'mesh'), ['github']);
    const { identity, anchors } = await loadIdentity({ dir: join(root, 'mesh') }, 'broker', 'github');
    meshKey = await meshKeyOf(join(root, 'mesh'));
    operator = await connect({ servers: nats.urls[0] });
    control = new MeshControl({ nc: operator });
    broker = new ToolBroker({
      connection: await connect({ servers: nats.urls[0] }),
      server: 'github',
      upstream: { kind: 'stdio', ...fixtureCommand('github', { callLog: callLog() }) },
      identity,
      trust: new MeshTrust({ anchors, revocations: { isRevoked: () => false } }),
      pinStore: new FilePinStore(root),
      allowedCommands: [basename(process.execPath)],
    });
    await broker.start();
    await broker.waitForState(['ready'], 15_000);
  });

  afterAll(async () => {
    killNodeProcesses();
    await broker?.drain();
    await operator?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** A node process for this test only: killed when it finishes, whatever happened. */
  const node = (name: string, server: number) => {
    onTestFinished(killNodeProcesses);
    return startNodeProcess({
      root,
      name,
      nats: nats.urls[server]!,
      policy: join(root, 'policy.yaml'),
      leaseMs: LEASE_MS,
      replicas: REPLICAS,
    });
  };

  /** A connected agent on the given servers, and which node incarnation hosts its session. */
  async function agent(servers: string[], requestTimeoutMs = 10_000) {
    placement ??= await new Kvm(jetstream(operator)).open(PLACEMENT_BUCKET);
    const opened = await openAgent({
      servers,
      control,
      tokenKey: state.tokenKey,
      meshKey,
      purpose: 'review',
      requestTimeoutMs,
    });
    await until(async () => (await control.inspect(opened.sid).catch(() => undefined)) !== undefined);
    await opened.connect();
    return opened;
  }

  async function hostOf(sid: string): Promise<string | null> {
    // While a stream elects a new leader (a server just died) a read may time out: ask again.
    const entry = await placement.get(sid).catch(() => null);
    return entry?.operation === 'PUT' ? (entry.json<{ host: string | null }>().host ?? null) : null;
  }

  /** PR numbers the fixture server was asked for, one per execution. */
  async function executed(): Promise<number[]> {
    const lines = (await readFile(callLog(), 'utf8')).split('\n').filter(Boolean);
    return lines.map((line) => (JSON.parse(line) as { arguments: { number: number } }).arguments.number);
  }

  it('kill -9 of the host under load: the session serves again on the other node, nothing runs twice', async () => {
    const nodes = [await node('a', 0), await node('b', 1)];
    const { sid, client } = await agent(nats.urls);
    const host = byId(nodes, await hostOf(sid));
    const load = new Load(client, 10_000);
    let numbers: number[];
    try {
      await until(async () => load.succeeded.length >= 20);
      host.signal('SIGKILL');
      const killedAt = Date.now();
      await until(async () => load.succeededAfter(killedAt) >= 5);
    } finally {
      numbers = await load.stop();
    }
    const survivor = nodes.find((n) => n !== host)!;
    expect(await hostOf(sid)).toBe(survivor.nodeId);
    const runs = await executed();
    expect(new Set(runs).size).toBe(runs.length); // no call executed twice
    for (const n of load.succeeded) expect(runs).toContain(n);
    // Calls in flight at the kill may have run or not; every other one ran exactly once.
    expect(runs.filter((n) => numbers.includes(n)).length).toBeLessThanOrEqual(
      load.succeeded.length + load.failed.length,
    );
    const inspection = await control.inspect(sid);
    // A burst like this one may well get the session contained by the monitor; reads stay allowed.
    expect(['active', 'scrutinised', 'readOnly']).toContain(inspection.state);
    expect(inspection.counters.session.calls).toBeGreaterThanOrEqual(load.succeeded.length);
  }, 120_000);

  it('a node stopped past its lease does not act on its sessions once resumed', async () => {
    const nodes = [await node('c', 0), await node('d', 1)];
    const { sid, client } = await agent(nats.urls, 3_000);
    await client.callTool({ name: 'github.get_pull_request', arguments: pr(1) });
    const stale = byId(nodes, await hostOf(sid));
    const other = nodes.find((n) => n !== stale)!;
    stale.signal('SIGSTOP');
    // The stopped host got this one: it times out, its outcome unknown to the agent.
    await refusal(client.callTool({ name: 'github.get_pull_request', arguments: pr(2_000) }), McpError);
    await until(() => succeeds(client, 2_001));
    expect(await hostOf(sid)).toBe(other.nodeId);
    stale.signal('SIGCONT');
    await until(async () => stale.log().includes('lost its lease'));
    for (const n of [2_002, 2_003])
      await client.callTool({ name: 'github.get_pull_request', arguments: pr(n) });
    const runs = await executed();
    expect(runs).not.toContain(2_000); // the stale host ran nothing it received while stopped
    expect(runs.filter((n) => n >= 2_001 && n < 3_000)).toEqual([2_001, 2_002, 2_003]);
    expect(await hostOf(sid)).toBe(other.nodeId);
  }, 120_000);

  it('a suspension through one server holds for calls through another, also with a nats-server down', async () => {
    await node('e', 0);
    await node('f', 1);
    const { sid, client } = await agent([nats.urls[1]!]);
    await client.callTool({ name: 'github.get_pull_request', arguments: pr(3_000) });
    await control.suspend(sid, { reason: 'incident 9', operator: 'sec@example.com' });
    const denied = await refusal(
      client.callTool({ name: 'github.get_pull_request', arguments: pr(3_001) }),
      McpError,
    );
    expect(denied.code).toBe(SessionRpcCode.Denied);
    await nats.servers[2]!.kill();
    // The placement buckets have 3 replicas: losing one server loses no lease or snapshot.
    await until(async () => (await control.inspect(sid).catch(() => undefined))?.state === 'suspended');
    const second = await agent([nats.urls[1]!]);
    await second.client.callTool({ name: 'github.get_pull_request', arguments: pr(3_002) });
    const runs = await executed();
    expect(runs).not.toContain(3_001);
    expect(runs).toContain(3_002);
  }, 120_000);
});

const pr = (number: number) => ({ repo: 'acme/api', number });

function byId(nodes: NodeProcess[], nodeId: string | null): NodeProcess {
  const found = nodes.find((n) => n.nodeId === nodeId);
  if (!found) throw new Error(`no node process is incarnation ${nodeId}`);
  return found;
}

function succeeds(client: Client, number: number): Promise<boolean> {
  return client.callTool({ name: 'github.get_pull_request', arguments: pr(number) }).then(
    () => true,
    () => false,
  );
}

/** Open-loop load: a call every 20 ms whatever became of the earlier ones, each with its own PR number. */
class Load {
  readonly succeeded: number[] = [];
  readonly failed: number[] = [];
  readonly #sentAt = new Map<number, number>();
  readonly #calls: Promise<void>[] = [];
  readonly #timer: NodeJS.Timeout;
  #next: number;

  constructor(
    private readonly client: Client,
    readonly first: number,
  ) {
    this.#next = first;
    this.#timer = setInterval(() => this.#calls.push(this.#call(this.#next++)), 20);
  }

  /** Calls sent after `at` that succeeded. */
  succeededAfter(at: number): number {
    return this.succeeded.filter((n) => (this.#sentAt.get(n) ?? 0) > at).length;
  }

  /** Stops sending and waits for every call's outcome; returns every number sent. */
  async stop(): Promise<number[]> {
    clearInterval(this.#timer);
    await Promise.all(this.#calls);
    return [...this.#sentAt.keys()];
  }

  async #call(n: number): Promise<void> {
    this.#sentAt.set(n, Date.now());
    try {
      await this.client.callTool({ name: 'github.get_pull_request', arguments: pr(n) });
      this.succeeded.push(n);
    } catch {
      this.failed.push(n);
    }
  }
}
