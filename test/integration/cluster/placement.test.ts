import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLACEMENT_BUCKET } from '../../../src/actors/node/index.js';
import { SessionRpcCode } from '../../../src/actors/session/index.js';
import { refusal } from '../../support/refusal.js';
import { type Cluster, startCluster, until } from './cluster-fixture.js';

const pr = (number: number) => ({ repo: 'acme/api', number });
const LEASE_MS = 600;

describe('placement: two mesh nodes, one host per session', () => {
  let cluster: Awaited<ReturnType<typeof startCluster>>;
  beforeAll(async () => {
    cluster = await startCluster(2, { leaseMs: LEASE_MS, passivateAfterMs: 0 });
  });
  afterAll(() => cluster?.stop());

  it('hosts each session on exactly one node, which alone runs its calls', async () => {
    const { sid, client } = await cluster.session('review');
    expect(hosts(cluster, sid)).toBe(1);
    const before = await cluster.executions();
    await client.callTool({ name: 'github.get_pull_request', arguments: pr(1) });
    expect(await cluster.executions()).toBe(before + 1);
    expect(hosts(cluster, sid)).toBe(1);
  });

  it('lists the sessions of every node', async () => {
    const sids = [];
    for (let i = 0; i < 4; i++) sids.push((await cluster.session('review')).sid);
    const listed = (await cluster.control.listSessions()).map((s) => s.sid);
    for (const sid of sids) expect(listed).toContain(sid);
    expect(new Set(listed).size).toBe(listed.length);
  });

  it('brings a session whose host died back on the survivor, history intact, nothing run twice', async () => {
    const extra = await cluster.addNode('spare');
    const { sid, client } = await cluster.session('review');
    await client.callTool({ name: 'github.get_pull_request', arguments: pr(2) });
    const host = cluster.hostOf(sid)!;
    const before = await cluster.executions();
    await host.nc.close(); // the node dies: its subscriptions go, its lease lapses
    // `create_comment` requires a read of the same PR first: allowed only if the history came along.
    const done = await client.callTool({
      name: 'github.create_comment',
      arguments: { ...pr(2), body: 'ok' },
    });
    expect(done.isError).toBeFalsy();
    expect(await cluster.executions()).toBe(before + 1);
    const newHost = cluster.hostOf(sid)!;
    expect(newHost).not.toBe(host);
    expect(hosts(cluster, sid)).toBe(1);
    expect((await cluster.control.inspect(sid)).counters.session.calls).toBe(2);
    if (host !== extra) await extra.node.close();
  });

  it('keeps a suspended session suspended after its host died, and still denies its calls', async () => {
    const { sid, client } = await cluster.session('review');
    await cluster.control.suspend(sid, { reason: 'incident 7', operator: 'sec@example.com' });
    await cluster.addNode(`spare-${sid.slice(1, 6)}`);
    const host = cluster.hostOf(sid)!;
    await host.nc.close();
    const before = await cluster.executions();
    const denied = await refusal(
      client.callTool({ name: 'github.get_pull_request', arguments: pr(3) }),
      McpError,
    );
    expect(denied.code).toBe(SessionRpcCode.Denied);
    // Suspension revoked its token mesh-wide too: whichever check comes first refuses.
    expect(['DENY_STATE_SUSPENDED', 'ERR_TOKEN_REVOKED']).toContain(
      (denied.data as { reason: string }).reason,
    );
    expect(await cluster.executions()).toBe(before);
    expect((await cluster.control.inspect(sid)).state).toBe('suspended');
  });

  it('a host whose session was taken over runs nothing more for it and stops serving it', async () => {
    const { sid, client } = await cluster.session('review');
    const host = cluster.hostOf(sid)!;
    const kv = await new Kvm(jetstream(host.nc)).open(PLACEMENT_BUCKET);
    const entry = await kv.get(sid);
    // Another (now gone) incarnation took the session over behind the host's back.
    await kv.update(sid, JSON.stringify({ ...entry!.json<object>(), host: 'gone-node-x' }), entry!.revision);
    const before = await cluster.executions();
    const moved = await refusal(
      client.callTool({ name: 'github.get_pull_request', arguments: pr(4) }),
      McpError,
    );
    expect(moved.code).toBe(SessionRpcCode.ToolFailed);
    expect(moved.message).toContain('moved to another node');
    expect(await cluster.executions()).toBe(before);
    // Sent again until it runs (the old host refuses any that still reach it): it runs exactly once.
    await until(() =>
      client.callTool({ name: 'github.get_pull_request', arguments: pr(1) }).then(
        () => true,
        (err: McpError) => (err.message.includes('moved to another node') ? false : Promise.reject(err)),
      ),
    );
    expect(await cluster.executions()).toBe(before + 1);
    expect(hosts(cluster, sid)).toBe(1);
    expect(hosts(cluster, sid)).toBe(1);
  });
});

describe('placement: passivation', () => {
  let cluster: Cluster & { stop(): Promise<void> };
  beforeAll(async () => {
    cluster = await startCluster(1, { leaseMs: LEASE_MS, passivateAfterMs: 500 });
  });
  afterAll(() => cluster?.stop());

  it('passivates an idle session and brings it back with its history on the next call', async () => {
    const { sid, client } = await cluster.session('review');
    await client.callTool({ name: 'github.get_pull_request', arguments: pr(1) });
    await until(async () => cluster.hostOf(sid) === undefined);
    const done = await client.callTool({
      name: 'github.create_comment',
      arguments: { ...pr(1), body: 'back' },
    });
    expect(done.isError).toBeFalsy();
    expect(cluster.hostOf(sid)).toBeDefined();
  });
});

function hosts(cluster: Cluster, sid: string): number {
  return cluster.nodes.filter((member) => !member.nc.isClosed() && member.node.session(sid)).length;
}
