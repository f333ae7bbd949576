import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { createNatsAuthority, type IssuedUser } from '../../../../src/pki/nats-auth/index.js';
import { newSessionId, sessionConnectOptions } from '../../../../src/transport/subjects.js';
import { type MeshFixture, MINUTE, meshFixture } from './mesh-fixture.js';

let mesh: MeshFixture;
let pusher: NatsConnection;

beforeAll(async () => {
  mesh = await meshFixture();
  pusher = await mesh.connectAs(mesh.authority.issueClaimsPusher());
});

/** Connecting as `user` to `url` once, without retries. */
function connectOnce(url: string, user: IssuedUser): Promise<NatsConnection> {
  return connect({
    servers: url,
    authenticator: credsAuthenticator(new TextEncoder().encode(user.creds)),
    reconnect: false,
  });
}

/** The first error status `nc` reports (why the server dropped it). */
async function serverError(nc: NatsConnection): Promise<string> {
  for await (const status of nc.status()) if (status.type === 'error') return status.error.message;
  return 'closed without an error';
}

describe('revoking a session user', () => {
  it('closes its live connection and refuses it from then on', async () => {
    const sid = newSessionId();
    const user = mesh.authority.issueSessionUser({ sid, expiresAt: Date.now() + 10 * MINUTE });
    const agent = await connect({
      servers: mesh.server.url,
      authenticator: credsAuthenticator(new TextEncoder().encode(user.creds)),
      reconnect: false,
      ...sessionConnectOptions('tm', sid),
    });
    const dropped = serverError(agent);
    await mesh.authority.revokeUser(user.publicKey, pusher);

    await expect(dropped).resolves.toMatch(/Revoked/);
    await agent.closed();
    expect(agent.isClosed()).toBe(true);
    await expect(connectOnce(mesh.server.url, user)).rejects.toThrow(/Authorization Violation/);
  });

  it('leaves other sessions connected', async () => {
    const kept = await mesh.connectSession(newSessionId());
    const revoked = mesh.authority.issueSessionUser({ sid: newSessionId(), expiresAt: Date.now() + MINUTE });
    await mesh.authority.revokeUser(revoked.publicKey, pusher);
    await kept.nc.flush();
    expect(kept.nc.isClosed()).toBe(false);
  });

  it('stays in force on a server started later, and on a reloaded authority', async () => {
    const user = mesh.authority.issueSessionUser({ sid: newSessionId(), expiresAt: Date.now() + MINUTE });
    await mesh.authority.revokeUser(user.publicKey, pusher);

    const reloaded = await createNatsAuthority({ stateDir: mesh.stateDir });
    expect(reloaded.operatorPublicKey).toBe(mesh.authority.operatorPublicKey);
    expect(reloaded.revocations()[user.publicKey]).toBeTypeOf('number');
    // A new server with an empty resolver directory learns the revocation from the preload alone.
    const fresh = await mesh.startServer();
    await expect(connectOnce(fresh.url, user)).rejects.toThrow(/Authorization Violation/);
    const other = reloaded.issueSessionUser({ sid: newSessionId(), expiresAt: Date.now() + MINUTE });
    await (await connectOnce(fresh.url, other)).close();
  });

  it('is refused by a server reached without system-account credentials, yet kept for the next push', async () => {
    const node = await mesh.connectAs(mesh.authority.issueNodeUser({ nodeId: 'node-1' }));
    const user = mesh.authority.issueSessionUser({ sid: newSessionId(), expiresAt: Date.now() + MINUTE });
    await expect(mesh.authority.revokeUser(user.publicKey, node)).rejects.toMatchObject({
      code: 'ERR_NATS_AUTH_PUSH',
    });
    expect(mesh.authority.revocations()[user.publicKey]).toBeTypeOf('number');
    // The next successful push carries it.
    const next = mesh.authority.issueSessionUser({ sid: newSessionId(), expiresAt: Date.now() + MINUTE });
    await mesh.authority.revokeUser(next.publicKey, pusher);
    await expect(connectOnce(mesh.server.url, user)).rejects.toThrow(/Authorization Violation/);
  });
});

describe('session expiry', () => {
  it('refuses credentials that have expired', async () => {
    // The same operator, issuing as if it were two hours ago: the user expired an hour ago.
    const past = await createNatsAuthority({
      stateDir: mesh.stateDir,
      clock: () => Date.now() - 120 * MINUTE,
    });
    const expired = past.issueSessionUser({ sid: newSessionId(), expiresAt: Date.now() - 60 * MINUTE });
    await expect(connectOnce(mesh.server.url, expired)).rejects.toThrow(/Authorization Violation/);
  });

  it('closes a live connection when the session expires', async () => {
    // JWTs count whole seconds: this leaves 2–3 s, enough to connect on a loaded machine.
    const expiresAt = (Math.floor(Date.now() / 1000) + 3) * 1000;
    const user = mesh.authority.issueSessionUser({ sid: newSessionId(), expiresAt });
    const agent = await connectOnce(mesh.server.url, user);
    // nats-server arms a timer for the JWT's `exp`; this waits for its event, not for a fixed time.
    await expect(serverError(agent)).resolves.toMatch(/User Authentication Expired/);
    await agent.closed();
    expect(agent.isClosed()).toBe(true);
    // Reconnecting is refused once the expiry second has passed (the test above); nats-server still
    // admits a connect during that very second, so the check is not repeated here.
  });
});
