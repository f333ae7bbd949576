import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNodeState, MeshNode } from '../../../src/actors/node/index.js';
import { openPolicyBucket, POLICY_KEY } from '../../../src/policy/distribution/index.js';
import { createTestPki } from '../../support/mesh-pki.js';
import { type NatsCluster, startNatsCluster } from '../../support/nats-harness.js';
import { agentOn, denial } from './agent.js';

const CLI = [process.execPath, '--import', 'tsx', join(import.meta.dirname, '../../../src/cli/run.ts')];

const CATALOGUE = `catalogue:
  github:
    tools:
      get_pull_request: { effect: read, resource: "{number}" }
      merge_pull_request: { effect: write, resource: "{number}" }
`;
/** v1 forbids merging outright; v2 drops the line, so merging falls to deny-by-default. */
const V1 = `${CATALOGUE}purposes:
  review:
    tools:
      github.get_pull_request: { allowed: true }
      github.merge_pull_request: { allowed: false }
`;
const V2 = `${CATALOGUE}purposes:
  review:
    tools:
      github.get_pull_request: { allowed: true }
`;

/** Runs the CLI to completion; resolves with its exit code and output. */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(CLI[0]!, [...CLI.slice(1), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

const PKI = await createTestPki();

interface RunningNode {
  node: MeshNode;
  nc: NatsConnection;
  log: string[];
  /** Resolves with the first log line (already seen or still to come) that matches. */
  logged(pattern: RegExp): Promise<string>;
}

describe('policy distribution over a 3-node nats cluster', () => {
  let cluster: NatsCluster;
  let dir: string;
  let v2Dir: string;
  const nodes: RunningNode[] = [];

  async function startNode(url: string, name: string, seed?: string): Promise<RunningNode> {
    const nc = await connect({ servers: url });
    // Nodes share the mesh keys (agents trust any of them) but each keeps its own audit log.
    const stateDir = join(dir, `node-${name}`);
    await cp(join(dir, 'keys'), join(stateDir, 'keys'), { recursive: true, force: false });
    const log: string[] = [];
    const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
    const node = await MeshNode.start({
      nc,
      stateDir,
      signer: await PKI.identity('node', `node-${name}`),
      anchors: PKI.anchors,
      ...(seed ? { policyPaths: [seed] } : {}),
      log: (line) => {
        log.push(line);
        for (const w of waiters.filter((w) => w.pattern.test(line))) w.resolve(line);
      },
    });
    const running: RunningNode = {
      node,
      nc,
      log,
      logged: (pattern) =>
        new Promise((resolve) => {
          const seen = log.find((line) => pattern.test(line));
          if (seen) resolve(seen);
          else waiters.push({ pattern, resolve });
        }),
    };
    nodes.push(running);
    return running;
  }

  beforeAll(async () => {
    cluster = await startNatsCluster(3);
    dir = await mkdtemp(join(tmpdir(), 'trustmesh-policy-'));
    await loadNodeState(dir);
    await writeFile(join(dir, 'v1.yaml'), V1);
    v2Dir = await mkdtemp(join(dir, 'v2-'));
    await writeFile(join(v2Dir, 'policy.yaml'), V2);
  }, 60_000);

  afterAll(async () => {
    for (const { node, nc } of nodes) {
      await node.close();
      await nc.close();
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('seeds the empty bucket, hot-reloads a push on every node, and refuses invalid bundles', async () => {
    // Exactly one node hosts a session, the first to claim it (decision 0017): one agent per server.
    const a = await startNode(cluster.urls[0]!, 'a', join(dir, 'v1.yaml'));
    const b = await startNode(cluster.urls[1]!, 'b');
    const v1 = a.node.policyVersion;
    expect(b.node.policyVersion).toBe(v1);
    const hosted = (sid: string) => [a, b].some((n) => n.node.sessions().some((s) => s.sid === sid));
    const atA = await agentOn(cluster.urls[0]!, 'tm', dir, 'review', hosted);
    const atB = await agentOn(cluster.urls[1]!, 'tm', dir, 'review', hosted);
    const agentA = atA.client;
    const agentB = atB.client;
    for (const agent of [agentA, agentB]) {
      expect(await denial(agent, 'github.merge_pull_request')).toMatchObject({
        reason: 'DENY_NOT_ALLOWED',
        policyVersion: v1,
      });
    }

    // An invalid policy is refused by push itself: nothing is written.
    await writeFile(join(dir, 'broken.yaml'), 'purposes:\n  review:\n    tier: omnipotent\n');
    const refused = await cli([
      'policy',
      'push',
      join(dir, 'broken.yaml'),
      '--nats',
      cluster.urls[2]!,
      '--operator',
      'test',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('broken.yaml:3');

    const pushed = await cli([
      'policy',
      'push',
      v2Dir,
      '--nats',
      cluster.urls[2]!,
      '--operator',
      'test',
      '--json',
    ]);
    expect(pushed.code).toBe(0);
    const result = JSON.parse(pushed.stdout) as { version: string; revision: number; unchanged: boolean };
    expect(result).toMatchObject({ ok: true, unchanged: false });
    await Promise.all(
      [a, b].map((n) =>
        n.logged(new RegExp(`policy ${result.version} \\(revision ${result.revision}\\) applied`)),
      ),
    );
    for (const agent of [agentA, agentB]) {
      expect(await denial(agent, 'github.merge_pull_request')).toMatchObject({
        reason: 'DENY_DEFAULT',
        policyVersion: result.version,
      });
    }

    // A bundle written around push (a raw KV put) that does not compile is rejected by every node.
    const kv = await openPolicyBucket(a.nc);
    await kv.put(
      POLICY_KEY,
      JSON.stringify({
        format: 1,
        version: `sha256:${'0'.repeat(64)}`,
        files: [{ name: 'x.yaml', text: V1 }],
        pushedAt: 1,
        pushedBy: 'rogue',
      }),
    );
    await Promise.all([a, b].map((n) => n.logged(/claims version sha256:0+ but its files hash to/)));
    for (const agent of [agentA, agentB]) {
      expect(await denial(agent, 'github.merge_pull_request')).toMatchObject({
        policyVersion: result.version,
      });
    }

    // A node started now skips the rejected revision, and its differing --policy does not win.
    const c = await startNode(cluster.urls[2]!, 'c', join(dir, 'v1.yaml'));
    expect(c.node.policyVersion).toBe(result.version);
    expect(c.log.join('\n')).toContain('differs and is not used');

    const history = await cli(['policy', 'history', '--nats', cluster.urls[0]!, '--json']);
    const entries = (
      JSON.parse(history.stdout) as { history: { version: string; valid: boolean; inForce: boolean }[] }
    ).history;
    expect(entries.map((e) => [e.version, e.valid, e.inForce])).toEqual([
      [`sha256:${'0'.repeat(64)}`, false, false],
      [result.version, true, true],
      [v1, true, false],
    ]);
  }, 90_000);
});
