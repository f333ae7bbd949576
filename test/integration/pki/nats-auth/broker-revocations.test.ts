import { describe, expect, it } from 'vitest';
import { brokerInboxPrefix } from '../../../../src/pki/nats-auth/index.js';
import { KvRevocationList } from '../../../../src/pki/revocation/index.js';
import { meshFixture } from './mesh-fixture.js';

describe('a broker user and the revocation list', () => {
  it('follows revocations a node writes, and cannot write any itself', async () => {
    const mesh = await meshFixture();
    const node = await KvRevocationList.open(
      await mesh.connectAs(mesh.authority.issueNodeUser({ nodeId: 'n1' })),
    );
    const broker = await KvRevocationList.open(
      await mesh.connectAs(mesh.authority.issueBrokerUser({ server: 'filesystem' }), {
        inboxPrefix: brokerInboxPrefix('filesystem'),
      }),
    );
    try {
      await node.revoke({ kind: 'cert', id: 'abc123', reason: 'test' });
      await expect.poll(() => broker.isRevoked('abc123'), { timeout: 10_000 }).toBe(true);
      await expect(broker.revoke({ kind: 'cert', id: 'def456' })).rejects.toThrow();
      expect(node.isRevoked('def456')).toBe(false);
    } finally {
      await Promise.all([node.close(), broker.close()]);
    }
  });
});
