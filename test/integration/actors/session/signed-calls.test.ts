import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionRpcCode } from '../../../../src/actors/session/index.js';
import { refusal } from '../../../support/refusal.js';
import { type Mesh, startMesh } from './mesh-fixture.js';

const PR = { repo: 'acme/api', number: 1 };

describe('session actor: capabilities signed with the node certificate', () => {
  let mesh: Mesh;

  beforeAll(async () => {
    mesh = await startMesh();
  });
  afterAll(() => mesh?.stop());

  it('turns a broker refusing the revoked node certificate into the broker-failure error', async () => {
    const { client } = await mesh.session('review');
    const call = () => client.callTool({ name: 'github.get_pull_request', arguments: PR });
    expect(JSON.stringify(await call())).toContain('acme/api');

    await mesh.revocations.revoke({ kind: 'cert', id: mesh.nodeIdentity.serial, reason: 'node compromised' });
    const err = await refusal(call(), McpError);
    expect(err.code).toBe(SessionRpcCode.ToolFailed);
    expect(err.message).toContain('ERR_SIGNER_REVOKED');
  });
});
