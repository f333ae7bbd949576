import { connect } from '@nats-io/transport-node';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { KvRevocationList } from '../../../src/pki/revocation/index.js';
import { startNats } from '../../support/nats-harness.js';

async function client(url: string) {
  const nc = await connect({ servers: url });
  onTestFinished(() => nc.close());
  return nc;
}

describe('KvRevocationList on a real nats-server', () => {
  it('a revocation made on one node reaches another node through the bucket watch', async () => {
    const server = await startNats();
    const a = await KvRevocationList.open(await client(server.url));
    const b = await KvRevocationList.open(await client(server.url));
    onTestFinished(async () => {
      await a.close();
      await b.close();
    });
    await a.revoke({ kind: 'cert', id: 'abc123', reason: 'node decommissioned' });
    expect(a.isRevoked('abc123')).toBe(true);
    await vi.waitFor(() => expect(b.isRevoked('abc123')).toBe(true));
    expect(b.isRevoked('abc124')).toBe(false);
    expect(b.list()).toEqual([
      expect.objectContaining({ kind: 'cert', id: 'abc123', reason: 'node decommissioned' }),
    ]);
  });

  it('has every stored revocation in memory once open resolves', async () => {
    const server = await startNats();
    const writer = await KvRevocationList.open(await client(server.url));
    for (let i = 0; i < 50; i++) await writer.revoke({ kind: 'token', id: `jti-${i}` });
    await writer.close();
    const reader = await KvRevocationList.open(await client(server.url));
    onTestFinished(() => reader.close());
    expect(reader.list()).toHaveLength(50);
    expect(reader.isRevoked('jti-0') && reader.isRevoked('jti-49')).toBe(true);
  });

  it('fails closed when its connection goes away', async () => {
    const server = await startNats();
    const nc = await client(server.url);
    const list = await KvRevocationList.open(nc);
    expect(list.isRevoked('feed')).toBe(false);
    await nc.close();
    await vi.waitFor(() => expect(list.isRevoked('feed')).toBe(true));
  });
});
