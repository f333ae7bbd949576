import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster } from './cluster-fixture.js';

const pr = (number: number) => ({ repo: 'acme/api', number });

describe('behaviour monitor across a failover', () => {
  let cluster: Awaited<ReturnType<typeof startCluster>>;
  beforeAll(async () => {
    cluster = await startCluster(2, { leaseMs: 600, passivateAfterMs: 0 });
  });
  afterAll(() => cluster?.stop());

  it('the session comes back on the survivor with its behaviour history, not a fresh monitor', async () => {
    const { sid, client } = await cluster.session('review');
    for (let i = 0; i < 3; i++) {
      await client.callTool({ name: 'github.get_pull_request', arguments: pr(1) });
    }
    const host = cluster.hostOf(sid)!;
    const before = host.node.session(sid)!.snapshot().monitor!;
    await host.nc.close(); // the node dies; the next call activates the session elsewhere
    await client.callTool({ name: 'github.get_pull_request', arguments: pr(2) });
    const survivor = cluster.hostOf(sid)!;
    expect(survivor).not.toBe(host);
    const after = survivor.node.session(sid)!.snapshot().monitor!;
    expect(after.startedAt).toBe(before.startedAt);
    expect(after.previousTool).toBe('github.get_pull_request');
    // Three calls before the move and one after, in the one-minute rate counter (decay shaves a little).
    expect(after.calls[0]).toBeGreaterThan(3.5);
    expect(after.known.bits).not.toBe(before.known.bits);
  });
});
