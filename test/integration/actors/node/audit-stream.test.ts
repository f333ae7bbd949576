import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeAudit } from '../../../../src/actors/node/audit.js';
import { DEFAULT_AUDIT_STREAM } from '../../../../src/audit/index.js';
import { startNats, startNatsCluster } from '../../../support/nats-harness.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function openAudit(url: string): Promise<number | undefined> {
  const nc = await connect({ servers: url });
  cleanup.push(() => nc.close());
  const stateDir = await mkdtemp(join(tmpdir(), 'trustmesh-node-audit-'));
  cleanup.push(() => rm(stateDir, { recursive: true, force: true }));
  const audit = await NodeAudit.open(nc, { stateDir, prefix: 'tm', clock: Date.now, audit: {} });
  cleanup.push(() => audit.close());
  expect(audit.dir).toBe(join(stateDir, 'audit'));
  const info = await (await jetstreamManager(nc)).streams.info(DEFAULT_AUDIT_STREAM);
  return info.config.num_replicas;
}

describe("the node's audit stream", () => {
  it('has one replica on a single server', async () => {
    const nats = await startNats();
    expect(await openAudit(nats.url)).toBe(1);
  });

  it('is replicated on three servers of a cluster', async () => {
    const cluster = await startNatsCluster(3);
    expect(await openAudit(cluster.urls[0]!)).toBe(3);
  }, 60_000);
});
