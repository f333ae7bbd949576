import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meshCredsPath, openNatsAuthority } from '../../../src/cli/mesh-connection.js';
import { writeSecretFile } from '../../../src/pki/key-store.js';
import { readSessionFile, type SessionFile } from '../../../src/pki/session-file.js';
import { withSessionToken } from '../../../src/pki/tokens/index.js';
import {
  importSigningKey,
  importVerifyingKey,
  KeyRing,
  NatsClientTransport,
  sessionConnectOptions,
} from '../../../src/transport/index.js';
import { runCli } from '../../support/cli.js';
import { type Mesh, startMesh } from '../actors/session/mesh-fixture.js';

const PR = { repo: 'acme/api', number: 1 };
const OPERATOR = { operator: 'sec-oncall', reason: 'test' };
// Each step starts a CLI process (tsx); on a shared two-core machine that alone takes seconds.
const CLI_TEST_MS = 180_000;

/** The agent's connection and client, from nothing but a session file (token optionally replaced). */
async function agent(file: SessionFile, token = file.token): Promise<{ nc: NatsConnection; client: Client }> {
  const nc = await connect({
    servers: file.natsUrl,
    reconnect: false,
    authenticator: credsAuthenticator(new TextEncoder().encode(file.natsCreds!)),
    ...sessionConnectOptions(file.prefix, file.sessionId),
  });
  const client = new Client({ name: 'agent', version: '1.0.0' });
  const transport = new NatsClientTransport({
    nc,
    sid: file.sessionId,
    prefix: file.prefix,
    identity: importSigningKey(file.agentKey),
    trust: new KeyRing(file.meshKeys.map((jwk) => importVerifyingKey(jwk))),
  });
  await client.connect(withSessionToken(transport, token));
  return { nc, client };
}

describe('trustmesh session renew on a mesh in operator mode', () => {
  let mesh: Mesh;
  let cli: (...args: string[]) => ReturnType<typeof runCli>;

  beforeAll(async () => {
    mesh = await startMesh({ natsAuth: true });
    const authority = await openNatsAuthority(mesh.dir);
    await writeSecretFile(
      meshCredsPath(mesh.dir, 'operator'),
      authority.issueNodeUser({ nodeId: 'cli' }).creds,
    );
    cli = (...args) => runCli([...args, '--dir', mesh.dir, '--nats', mesh.url, '--json']);
  }, CLI_TEST_MS);
  afterAll(() => mesh?.stop());

  it(
    'suspend revokes the credentials; after resume, renew writes a session file that works and the old one stays refused',
    async () => {
      const created = await cli('session', 'create', '--purpose', 'review', '--user', 'carol');
      expect(created.code).toBe(0);
      const { sid, sessionFile, tools } = JSON.parse(created.stdout);
      expect(tools).toEqual(['github.create_comment', 'github.get_pull_request']);
      const before = await readSessionFile(sessionFile);
      const first = await agent(before);
      await first.client.callTool({ name: 'github.get_pull_request', arguments: PR });

      // A live session's NATS user is still valid: renewing now would leave two sets of credentials.
      const early = await cli('session', 'renew', sid);
      expect(early.code).toBe(1);
      expect(JSON.parse(early.stdout)).toMatchObject({ ok: false, code: 'ERR_SESSION_RENEW' });

      await mesh.control.suspend(sid, OPERATOR);
      await first.nc.closed();
      await expect(agent(before)).rejects.toThrow(/Authorization Violation/);
      const suspended = await cli('session', 'renew', sid);
      expect(JSON.parse(suspended.stdout).message).toContain(`trustmesh sessions resume ${sid}`);

      const resumed = await runCli(['sessions', 'resume', sid, '--dir', mesh.dir, '--nats', mesh.url]);
      expect(resumed.stdout).toContain(`run 'trustmesh session renew ${sid}'`);
      const renewed = await cli('session', 'renew', sid);
      expect(renewed.code).toBe(0);
      expect(JSON.parse(renewed.stdout)).toMatchObject({ ok: true, sid, state: 'active', sessionFile });
      const after = await readSessionFile(sessionFile);
      expect(after.natsCreds).not.toBe(before.natsCreds);
      expect(after.token).not.toBe(before.token);
      expect(after.agentKey).toEqual(before.agentKey);

      const second = await agent(after);
      const result = await second.client.callTool({ name: 'github.get_pull_request', arguments: PR });
      expect(JSON.stringify(result.content)).toContain('Fix the login redirect');
      // The old NATS user and the old token stay revoked.
      await expect(agent(before)).rejects.toThrow(/Authorization Violation/);
      const stale = await agent(after, before.token).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(stale).toBeInstanceOf(McpError);
      expect((stale as McpError).data).toMatchObject({ reason: 'ERR_TOKEN_REVOKED' });
      await second.nc.close();
    },
    CLI_TEST_MS,
  );
});
