import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenErrorCode } from '../../../../src/pki/tokens/index.js';
import { refusal } from '../../../support/refusal.js';
import { type Mesh, startMesh } from './mesh-fixture.js';

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

  it('suspends a session at once when forged tokens are presented for it three times (auth-failure burst)', async () => {
    const { sid, token, connectAgain } = await mesh.session('review');
    const [header, payload, signature] = token.split('.');
    const forged = `${header}.${payload}.${signature?.startsWith('A') ? 'B' : 'A'}${signature?.slice(1)}`;
    for (let i = 0; i < 3; i++) {
      const err = await refusal(connectAgain(forged), McpError);
      expect(err.data).toMatchObject({ reason: TokenErrorCode.Signature });
    }
    const seen = await mesh.control.inspect(sid);
    expect(seen.state).toBe('suspended');
    expect(seen.transitions.at(-1)?.reason).toMatch(/auth-failure-burst/);
    expect(seen.risk.features.authFailures).toBeGreaterThan(0);
  });
});
