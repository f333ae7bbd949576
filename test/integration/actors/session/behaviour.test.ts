import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionRpcCode } from '../../../../src/actors/session/index.js';
import { KvRevocationList, RevocationKind } from '../../../../src/pki/revocation/index.js';
import { type Mesh, startMesh, until } from './mesh-fixture.js';

const pr = (number: number) => ({ repo: 'acme/api', number });

describe('session actor: the behaviour monitor in the call path', () => {
  let mesh: Mesh;

  beforeAll(async () => {
    mesh = await startMesh();
  });
  afterAll(() => mesh?.stop());

  it('scores every call, shows the risk in inspect and keeps the monitor in the snapshot', async () => {
    const { sid, client } = await mesh.session('review');
    await client.callTool({ name: 'github.get_pull_request', arguments: pr(1) });
    const seen = await mesh.control.inspect(sid);
    expect(seen.risk).toMatchObject({ level: 'none', baselineVersion: null });
    expect(Object.keys(seen.risk.features)).toContain('taint');
    const snapshot = mesh.node.session(sid)?.snapshot();
    expect(snapshot?.monitor?.calls[0]).toBeGreaterThan(0);
  });

  it('suspends a session whose revoked token is presented again and again (auth-failure burst)', async () => {
    const { sid, client, token } = await mesh.session('review');
    const jti = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string;
    const list = await KvRevocationList.open(mesh.operator);
    try {
      await list.revoke({ kind: RevocationKind.Token, id: jti, reason: 'stolen' });
      const call = () =>
        client.callTool({ name: 'github.get_pull_request', arguments: pr(1) }).catch((e: unknown) => e);
      // The node learns of the revocation through its bucket watch; refusals count from then on.
      await until(async () => (await call()) instanceof McpError);
      const refused = [await call(), await call()];
      for (const err of refused) expect((err as McpError).code).toBe(SessionRpcCode.Denied);
    } finally {
      await list.close();
    }
    const seen = await mesh.control.inspect(sid);
    expect(seen.state).toBe('suspended');
    expect(seen.transitions.at(-1)?.reason).toMatch(/auth-failure-burst/);
  });
});
