import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionRpcCode } from '../../../src/actors/session/index.js';
import { KvRevocationList, RevocationKind } from '../../../src/pki/revocation/index.js';
import { TokenErrorCode } from '../../../src/pki/tokens/index.js';
import { generateKeyPair, newSessionId } from '../../../src/transport/index.js';
import { refusal } from '../../support/refusal.js';
import { type AgentTokenOptions, type Mesh, startMesh, until } from '../actors/session/mesh-fixture.js';

const PR = { repo: 'acme/api', number: 1 };
const HOUR = 3_600_000;

function expectTokenDenial(err: McpError, code: TokenErrorCode): void {
  expect(err.code).toBe(SessionRpcCode.Denied);
  expect(err.message).toContain(code);
  expect(err.data).toMatchObject({ reason: code, rule: 'session-token' });
}

describe('session tokens on every call, on a real mesh', () => {
  let mesh: Mesh;

  beforeAll(async () => {
    mesh = await startMesh();
  });
  afterAll(() => mesh?.stop());

  it('runs calls with the token issued for the session and its agent key', async () => {
    const { client } = await mesh.session('review');
    const result = await client.callTool({ name: 'github.get_pull_request', arguments: PR });
    expect(JSON.stringify(result.content)).toContain('Fix the login redirect');
  });

  it("bounds what policy allows by the token's tools; policy's own denials keep their reasons", async () => {
    const { client } = await mesh.session('review', {
      tweak: (r) => ({ ...r, tools: ['github.get_pull_request'] }),
    });
    await client.callTool({ name: 'github.get_pull_request', arguments: PR });
    // Policy allows the comment (its required read succeeded), the token does not name it.
    const comment = await refusal(
      client.callTool({ name: 'github.create_comment', arguments: { ...PR, body: 'lgtm' } }),
      McpError,
    );
    expect(comment.code).toBe(SessionRpcCode.Denied);
    expect(comment.data).toMatchObject({ reason: 'DENY_TOKEN_TOOL', rule: 'session-token', state: 'active' });
    expect(comment.message).toContain('trustmesh session renew');
    const merge = await refusal(
      client.callTool({ name: 'github.merge_pull_request', arguments: PR }),
      McpError,
    );
    expect(merge.data).toMatchObject({ reason: 'DENY_NOT_ALLOWED' });
  });

  const refused: [string, AgentTokenOptions, TokenErrorCode][] = [
    ['no token', { present: false }, TokenErrorCode.Malformed],
    ['an expired token', { issuedAt: Date.now() - 2 * HOUR }, TokenErrorCode.Expired],
    [
      'a token issued for another session',
      { tweak: (r) => ({ ...r, sessionId: newSessionId() }) },
      TokenErrorCode.WrongSession,
    ],
    [
      'a token bound to another key',
      { tweak: (r) => ({ ...r, agentKey: generateKeyPair('ed25519').publicJwk }) },
      TokenErrorCode.WrongKey,
    ],
  ];
  it.each(refused)(
    'refuses an agent presenting %s, with its code, before anything runs',
    async (_, token, code) => {
      expectTokenDenial(await refusal(mesh.session('review', token), McpError), code);
    },
  );

  it('refuses a token revoked in the mesh revocation bucket from the next call on', async () => {
    const { client, token } = await mesh.session('review');
    await client.callTool({ name: 'github.get_pull_request', arguments: PR });
    const jti = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string;
    const list = await KvRevocationList.open(mesh.operator);
    try {
      await list.revoke({ kind: RevocationKind.Token, id: jti, reason: 'test' });
      // The node learns of it through its bucket watch: calls are refused once the entry arrives.
      let last: unknown;
      await until(async () => {
        last = await client
          .callTool({ name: 'github.get_pull_request', arguments: PR })
          .catch((e: unknown) => e);
        return last instanceof McpError;
      });
      expectTokenDenial(last as McpError, TokenErrorCode.Revoked);
    } finally {
      await list.close();
    }
  });

  it('revokes the session token when the session is suspended, so the very next call is refused', async () => {
    const { sid, client } = await mesh.session('review');
    await client.callTool({ name: 'github.get_pull_request', arguments: PR });
    await mesh.control.suspend(sid, { operator: 'sec-oncall', reason: 'test' });
    const err = await refusal(client.callTool({ name: 'github.get_pull_request', arguments: PR }), McpError);
    expectTokenDenial(err, TokenErrorCode.Revoked);
    expect(err.data).toMatchObject({ state: 'suspended' });
  });
});
