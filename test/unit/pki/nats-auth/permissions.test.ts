import { describe, expect, it } from 'vitest';
import {
  brokerPermissions,
  nodePermissions,
  sessionPermissions,
} from '../../../../src/pki/nats-auth/index.js';
import { sessionConnectOptions } from '../../../../src/transport/subjects.js';

describe('user permissions', () => {
  it('give a session exactly its own subjects and its own inbox, and one timed reply per request', () => {
    const permissions = sessionPermissions('tm', 'abc', 600_000);
    expect(permissions).toEqual({
      pub: { allow: ['tm.s.abc.>'] },
      sub: { allow: ['tm.s.abc.>', '_INBOX_abc.>'] },
      resp: { max: 1, ttl: 600_000_000_000 },
    });
    // The inbox its connection must use is the one the permissions allow.
    expect(permissions.sub.allow).toContain(`${sessionConnectOptions('tm', 'abc').inboxPrefix}.>`);
  });

  it('follow the configured prefix', () => {
    expect(sessionPermissions('mesh2', 'abc', 1_000).pub.allow).toEqual(['mesh2.s.abc.>']);
    expect(
      nodePermissions('mesh2', 1_000).sub.allow?.every((s) => s.startsWith('mesh2.') || s === '_INBOX.>'),
    ).toBe(true);
  });

  it('let a node serve every session, brokers, control and approvals, write audit, and use JetStream', () => {
    const { pub, sub, resp } = nodePermissions('tm', 1_000);
    expect(pub.allow).toEqual([
      'tm.s.*.>',
      'tm.tool.>',
      'tm.ctl.>',
      'tm.approvals.>',
      'tm.audit.>',
      '$JS.API.>',
      '$KV.>',
      '$JS.ACK.>',
      '$JS.FC.>',
    ]);
    expect(sub.allow).toEqual(['tm.s.*.>', 'tm.tool.>', 'tm.ctl.>', 'tm.approvals.>', '_INBOX.>']);
    expect(resp).toEqual({ max: 1, ttl: 1_000_000_000 });
  });

  it("keep a broker to its own server's calls, its operator commands, the mesh's inboxes and reading revocations", () => {
    expect(brokerPermissions('tm', 'filesystem')).toEqual({
      pub: {
        allow: [
          '_INBOX.>',
          'tm.tool.filesystem.changed',
          '$JS.API.INFO',
          '$JS.API.STREAM.INFO.KV_trustmesh_revocations',
          '$JS.API.CONSUMER.CREATE.KV_trustmesh_revocations',
          '$JS.API.CONSUMER.CREATE.KV_trustmesh_revocations.>',
          '$JS.API.CONSUMER.DELETE.KV_trustmesh_revocations.>',
          '$JS.FC.>',
        ],
      },
      sub: { allow: ['tm.tool.filesystem.>', 'tm.ctl.broker.filesystem.>', '_INBOX_broker.filesystem.>'] },
    });
  });
});
