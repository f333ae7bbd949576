import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSessionUsers, sessionUserOf } from '../../../src/actors/node/index.js';
import { sessionConnectOptions } from '../../../src/transport/index.js';
import { type Mesh, startMesh, until } from '../actors/session/mesh-fixture.js';

const PR = { repo: 'acme/api', number: 1 };
const OPERATOR = { operator: 'sec-oncall', reason: 'test' };

/** The first error the connection reports: why the server dropped it. */
async function serverError(nc: NatsConnection): Promise<string> {
  for await (const status of nc.status()) if (status.type === 'error') return status.error.message;
  return 'closed without an error';
}

describe('per-session NATS credentials on a mesh in operator mode', () => {
  let mesh: Mesh;

  beforeAll(async () => {
    mesh = await startMesh({ natsAuth: true });
  });
  afterAll(() => mesh?.stop());

  it('serves calls to an agent connected with its own session user', async () => {
    const { client, user } = await mesh.session('review');
    expect(user?.publicKey).toMatch(/^U[A-Z2-7]{55}$/);
    const result = await client.callTool({ name: 'github.get_pull_request', arguments: PR });
    expect(JSON.stringify(result.content)).toContain('Fix the login redirect');
  });

  for (const verb of ['suspend', 'kill'] as const) {
    it(`${verb}: the server closes the agent's connection and refuses the same credentials`, async () => {
      const { sid, client, nc, user } = await mesh.session('review');
      await client.callTool({ name: 'github.get_pull_request', arguments: PR });
      const dropped = serverError(nc);
      await mesh.control[verb](sid, OPERATOR);

      await expect(dropped).resolves.toMatch(/Revoked/);
      await nc.closed();
      expect(nc.isClosed()).toBe(true);
      const again = connect({
        servers: mesh.url,
        reconnect: false,
        authenticator: credsAuthenticator(new TextEncoder().encode(user!.creds)),
        ...sessionConnectOptions('tm', sid),
      });
      await expect(again).rejects.toThrow(/Authorization Violation/);
      const users = await openSessionUsers(mesh.operator);
      // Suspend keeps the entry (resume and renew need it); kill removes it.
      if (verb === 'suspend') expect(await sessionUserOf(users, sid)).toBe(user!.publicKey);
      else await until(async () => (await sessionUserOf(users, sid)) === undefined);
    });
  }

  it('leaves the other sessions connected', async () => {
    const kept = await mesh.session('review');
    const gone = await mesh.session('review');
    await mesh.control.suspend(gone.sid, OPERATOR);
    await gone.nc.closed();
    const result = await kept.client.callTool({ name: 'github.get_pull_request', arguments: PR });
    expect(JSON.stringify(result.content)).toContain('Fix the login redirect');
  });
});
