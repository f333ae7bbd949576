import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { MeshNode } from '../src/actors/node/index.js';
import { openPolicyBucket, pushPolicy } from '../src/policy/distribution/index.js';
import { benchPki } from './mesh-pki.js';
import { percentile } from './runner/index.js';

export interface PolicyReloadOptions {
  /** nats-server to measure against (JetStream on). */
  url: string;
  /** Pushes measured. */
  rounds: number;
}

const NODES = 2;
/** Pushes before measuring: the first compile of a bundle warms up the parser and Cedar. */
const WARM_UP = 3;

/** A policy whose text changes with `n`, so every push is a new version. */
function policy(n: number): { name: string; text: string }[] {
  const text = `# revision ${n}\npurposes:\n  review:\n    tools:\n      github.get_pull_request: { allowed: true }\n`;
  return [{ name: 'policy.yaml', text }];
}

/**
 * How long a `policy push` takes to be in force on every node: from the start of `pushPolicy`
 * (validate, compare-and-set write) until both nodes have compiled it and applied it to their sessions
 * (`policy_reload_*_ms`). Beside it, measured on the same server in the same run, the floor NATS sets:
 * a put of the same size into a KV bucket until two watchers on their own connections have it
 * (`kv_watch_*_ms`). One push at a time; p50 and p99 over `rounds`.
 */
export async function benchPolicyReload(options: PolicyReloadOptions): Promise<Record<string, number>> {
  const connections: NatsConnection[] = [];
  const conn = async () => {
    const nc = await connect({ servers: options.url });
    connections.push(nc);
    return nc;
  };
  const dir = await mkdtemp(join(tmpdir(), 'trustmesh-bench-policy-'));
  const nodes: MeshNode[] = [];
  try {
    const operator = await conn();
    const kv = await openPolicyBucket(operator);
    await pushPolicy(kv, policy(-WARM_UP), { pushedBy: 'bench' });
    let applied: (() => void)[] = [];
    const pki = await benchPki();
    for (let i = 0; i < NODES; i++) {
      nodes.push(
        await MeshNode.start({
          nc: await conn(),
          stateDir: join(dir, `node-${i}`),
          signer: await pki.issue('node', `node-${i}`),
          anchors: pki.anchors,
          audit: false,
          log: (line) => {
            if (line.includes(') applied to ')) applied.shift()?.();
          },
        }),
      );
    }
    const reload: number[] = [];
    for (let n = 1 - WARM_UP; n <= options.rounds; n++) {
      const all = Array.from({ length: NODES }, () => new Promise<void>((resolve) => applied.push(resolve)));
      const start = process.hrtime.bigint();
      await pushPolicy(kv, policy(n), { pushedBy: 'bench' });
      await Promise.all(all);
      if (n > 0) reload.push(Number(process.hrtime.bigint() - start) / 1e6);
      applied = [];
    }
    const watch = await kvWatch(conn, policy(0)[0]!.text.length + 200, options.rounds);
    return { ...summary('policy_reload', reload), ...summary('kv_watch', watch) };
  } finally {
    await Promise.allSettled(nodes.map((node) => node.close()));
    await Promise.allSettled(connections.map((nc) => nc.close()));
    await rm(dir, { recursive: true, force: true });
  }
}

/** Put → seen by two watchers on their own connections, in ms. */
async function kvWatch(
  conn: () => Promise<NatsConnection>,
  bytes: number,
  rounds: number,
): Promise<number[]> {
  const writer = await new Kvm(await conn()).create('bench_kv_watch', { history: 1 });
  const pending: (() => void)[] = [];
  for (let i = 0; i < NODES; i++) {
    const watcher = await (await new Kvm(await conn()).open('bench_kv_watch')).watch({
      key: 'value',
      include: 'updates',
    });
    void (async () => {
      for await (const _ of watcher) pending.shift()?.();
    })();
  }
  const value = 'x'.repeat(bytes);
  const times: number[] = [];
  for (let n = 0; n < rounds; n++) {
    const all = Array.from({ length: NODES }, () => new Promise<void>((resolve) => pending.push(resolve)));
    const start = process.hrtime.bigint();
    await writer.put('value', `${n}${value}`);
    await Promise.all(all);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  await writer.destroy();
  return times;
}

function summary(prefix: string, samples: number[]): Record<string, number> {
  const sorted = Float64Array.from(samples).sort();
  return { [`${prefix}_p50_ms`]: percentile(sorted, 50), [`${prefix}_p99_ms`]: percentile(sorted, 99) };
}
