import type { JsonWebKey } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import type { SessionDescriptor } from '../actors/control/index.js';
import {
  loadTokenKey,
  openSessionUsers,
  recordSessionUser,
  type SessionGrant,
  sessionGrant,
  sessionTokenIssuer,
} from '../actors/node/index.js';
import { TrustmeshError } from '../errors.js';
import { publicJwkOf } from '../pki/key-store.js';
import { writeSessionFile } from '../pki/session-file.js';
import type { SessionTokenClaims } from '../pki/tokens/index.js';
import { PolicyFeed } from '../policy/distribution/index.js';
import { localNatsAuthority, type MeshInfo } from './mesh-connection.js';
import { issueAgentTls } from './mesh-tls.js';

export class SessionCredentialsError extends TrustmeshError {
  constructor(message: string) {
    super('ERR_SESSION_CREDENTIALS', message);
  }
}

/**
 * What `purpose` grants `principal` in the policy the nodes run: the newest bundle in `trustmesh_policy`
 * that compiles, read by the same rule every node applies.
 */
export async function meshGrant(
  nc: NatsConnection,
  purpose: string,
  principal: string,
): Promise<SessionGrant> {
  const feed = await PolicyFeed.open({
    nc,
    seededBy: 'trustmesh session',
    onChange: () => {},
    // A newer bundle that does not compile is skipped here exactly as the nodes skip it.
    report: () => {},
  });
  feed.close();
  return sessionGrant(feed.bundle, purpose, principal);
}

export interface SessionCredentialsRequest {
  /** State directory holding the mesh token key and, in operator mode, `nats-auth/`. */
  readonly dir: string;
  readonly nc: NatsConnection;
  readonly mesh: MeshInfo;
  readonly descriptor: SessionDescriptor;
  readonly grant: SessionGrant;
  /** The agent's private key; the token is bound to its public half. */
  readonly agentKey: JsonWebKey;
  readonly meshKeys: JsonWebKey[];
  /** Where the session file goes (0600, replaced whole). */
  readonly path: string;
}

export interface IssuedSessionCredentials {
  readonly claims: SessionTokenClaims;
  /** Public nkey of the session's new NATS user; undefined on a mesh without operator mode. */
  readonly natsUser: string | undefined;
}

/**
 * Issues a session token (the grant's tier and tools, expiring with the session), on a mesh in
 * operator mode a new NATS user recorded in `trustmesh_session_users`, and on a mesh with mutual TLS an
 * agent certificate; writes them with the agent key into the session file.
 */
export async function writeSessionCredentials(
  request: SessionCredentialsRequest,
): Promise<IssuedSessionCredentials> {
  const { dir, nc, mesh, descriptor, grant, agentKey } = request;
  const { sid, principal, purpose, expiresAt } = descriptor;
  const ttlMs = expiresAt - Date.now();
  if (ttlMs < 1_000) {
    throw new SessionCredentialsError(
      `session ${sid} expires at ${new Date(expiresAt).toISOString()}; create a new session with 'trustmesh session create'.`,
    );
  }
  const { token, claims } = await sessionTokenIssuer(await loadTokenKey(dir)).issue({
    sessionId: sid,
    principal,
    purpose,
    tier: grant.tier,
    tools: grant.tools,
    agentKey: publicJwkOf(agentKey),
    ttlMs,
  });
  // A mesh in operator mode gives each session its own NATS user: its subjects and inbox only.
  const authority = await localNatsAuthority(dir);
  const natsUser = authority?.issueSessionUser({ sid, prefix: mesh.prefix, expiresAt });
  if (natsUser) await recordSessionUser(await openSessionUsers(nc), sid, natsUser.publicKey);
  // A mesh that runs mutual TLS (its operator tools connect with a leaf) gives the agent its own client
  // certificate, ending with the session. A CA alone only signs node and broker identities.
  const tls = mesh.tls ? await issueAgentTls(dir, sid, expiresAt) : undefined;
  await writeSessionFile(request.path, {
    version: 1,
    sessionId: sid,
    prefix: mesh.prefix,
    natsUrl: mesh.natsUrl,
    agentKey,
    meshKeys: request.meshKeys,
    token,
    ...(natsUser ? { natsCreds: natsUser.creds } : {}),
    ...(tls ? { tls } : {}),
  });
  return { claims, natsUser: natsUser?.publicKey };
}
