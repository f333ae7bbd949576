import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ConnectionOptions,
  connect,
  credsAuthenticator,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';
import { afterAll } from 'vitest';
import type { NatsServerProcess } from '../../../../src/natsd/index.js';
import {
  createNatsAuthority,
  type IssuedUser,
  type NatsAuthority,
  type NatsAuthorityOptions,
} from '../../../../src/pki/nats-auth/index.js';
import { sessionConnectOptions } from '../../../../src/transport/subjects.js';
import { startNats } from '../../../support/nats-harness.js';

export const MINUTE = 60_000;

/** An authority in a fresh state directory (removed after the file) and a server trusting it. */
export interface MeshFixture {
  stateDir: string;
  authority: NatsAuthority;
  server: NatsServerProcess;
  /** Connects as `user`; every connection is closed after the file. */
  connectAs(user: IssuedUser, options?: Partial<ConnectionOptions>): Promise<NatsConnection>;
  /** Connects as a new session user of `sid`, with the inbox prefix its credentials allow. */
  connectSession(sid: string): Promise<{ nc: NatsConnection; user: IssuedUser }>;
  /** Starts another server trusting the authority as it is now (current revocations), own resolver dir. */
  startServer(): Promise<NatsServerProcess>;
}

export async function meshFixture(
  options: Omit<NatsAuthorityOptions, 'stateDir'> = {},
): Promise<MeshFixture> {
  const root = await mkdtemp(join(tmpdir(), 'trustmesh-nats-auth-'));
  const connections: NatsConnection[] = [];
  afterAll(async () => {
    await Promise.allSettled(connections.map((nc) => nc.close()));
    await rm(root, { recursive: true, force: true });
  });
  const stateDir = join(root, 'state');
  const authority = await createNatsAuthority({ ...options, stateDir });
  let servers = 0;
  const startServer = () =>
    startNats({ extraConfig: authority.serverConfig({ resolverDir: join(root, `resolver-${++servers}`) }) });
  const server = await startServer();
  const connectAs = async (user: IssuedUser, extra: Partial<ConnectionOptions> = {}) => {
    const nc = await connect({
      servers: server.url,
      authenticator: credsAuthenticator(new TextEncoder().encode(user.creds)),
      ...extra,
    });
    connections.push(nc);
    return nc;
  };
  return {
    stateDir,
    authority,
    server,
    connectAs,
    connectSession: async (sid) => {
      const user = authority.issueSessionUser({ sid, expiresAt: Date.now() + 10 * MINUTE });
      return { nc: await connectAs(user, sessionConnectOptions('tm', sid)), user };
    },
    startServer,
  };
}

/** The error the server closed `sub` with (a permission violation), or undefined while it is open. */
export async function subscriptionRefusal(nc: NatsConnection, sub: Subscription): Promise<Error | undefined> {
  // The server answers a refused SUB with -ERR before the PONG of this flush.
  await nc.flush();
  return sub.isClosed() ? ((await sub.closed) ?? undefined) : undefined;
}

/** The next permission violation the server reports on `nc`. */
export async function nextPermissionError(nc: NatsConnection): Promise<Error> {
  for await (const status of nc.status()) {
    if (status.type === 'error' && status.error.name === 'PermissionViolationError') return status.error;
  }
  throw new Error('the connection closed without a permission violation');
}
