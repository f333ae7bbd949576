import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  type ConnectionOptions,
  connect,
  credsAuthenticator,
  type NatsConnection,
} from '@nats-io/transport-node';
import { FilePinStore, ToolBroker } from '../../../../src/actors/broker/index.js';
import { MeshControl, type SessionDescriptor } from '../../../../src/actors/control/index.js';
import {
  loadNodeState,
  MeshNode,
  type NodeAuditOptions,
  nodeStatePaths,
  openSessionUsers,
  recordSessionUser,
  type SessionGrant,
  sessionGrant,
  sessionTokenIssuer,
} from '../../../../src/actors/node/index.js';
import type { ApproverVerifierOptions } from '../../../../src/pki/approvers/index.js';
import { publicJwkOf } from '../../../../src/pki/key-store.js';
import { createNatsAuthority, type IssuedUser } from '../../../../src/pki/nats-auth/index.js';
import { KvRevocationList } from '../../../../src/pki/revocation/index.js';
import type { MeshIdentity } from '../../../../src/pki/signer/index.js';
import { type SessionTokenRequest, withSessionToken } from '../../../../src/pki/tokens/index.js';
import { type PolicyBundle, parsePolicy } from '../../../../src/policy/index.js';
import {
  generateKeyPair,
  importVerifyingKey,
  KeyRing,
  NatsClientTransport,
  newSessionId,
  sessionConnectOptions,
} from '../../../../src/transport/index.js';
import { fixtureCommand } from '../../../fixtures/mcp/servers.js';
import { createTestPki, type TestPki } from '../../../support/mesh-pki.js';
import { startNats } from '../../../support/nats-harness.js';

/** The GitHub-like fixture names PRs by `repo` ("owner/name") and `number`; policy keys them by number. */
export const POLICY = `
catalogue:
  github:
    tools:
      get_pull_request: { effect: read, resource: "{number}" }
      create_comment: { effect: write, resource: "{number}", audit: { drop: [body] } }
      merge_pull_request: { effect: write, resource: "{number}" }
purposes:
  review:
    tools:
      github.get_pull_request: { allowed: true }
      github.create_comment: { allowed: true, requires: [github.get_pull_request] }
      github.merge_pull_request: { allowed: false }
  release:
    tools:
      github.get_pull_request: { allowed: true }
      github.merge_pull_request: { allowed: true, approval: required }
`;

/**
 * What `policy` (POLICY by default) grants `purpose` for alice@example.com, as 'trustmesh session create'
 * puts it in the token.
 */
export function policyGrant(
  purpose: string,
  policy: PolicyBundle = parsePolicy([{ name: 'policy.yaml', text: POLICY }]),
): SessionGrant {
  return sessionGrant(policy, purpose, 'alice@example.com');
}

/** What a test may change about the token an agent presents; by default a valid one for its session. */
export interface AgentTokenOptions {
  /** Rewrites the token request (another session, another key). */
  tweak?: (request: SessionTokenRequest) => SessionTokenRequest;
  /** When the token was issued, unix ms. @default now */
  issuedAt?: number;
  /** false: the agent sends no token at all. @default true */
  present?: boolean;
}

export interface Mesh {
  readonly url: string;
  /** The node's state directory (keys, token key). */
  readonly dir: string;
  readonly node: MeshNode;
  /** The node's audit log directory. */
  readonly auditDir: string;
  /** The mesh CA; brokers added to the mesh get their certificates from it. */
  readonly pki: TestPki;
  /** The node's certificate identity (what signs its capabilities). */
  readonly nodeIdentity: MeshIdentity;
  /** The mesh-wide revocation list (KV) every broker of the mesh checks node certificates against. */
  readonly revocations: KvRevocationList;
  readonly control: MeshControl;
  readonly operator: NatsConnection;
  /** Registers a session, waits until the node serves it, and connects an SDK client to it. */
  session(purpose: string, token?: AgentTokenOptions): Promise<AgentSession>;
  stop(): Promise<void>;
}

export interface AgentSession {
  sid: string;
  client: Client;
  token: string;
  /** The agent's own NATS connection (no reconnects, so a server-side close is final). */
  nc: NatsConnection;
  /** Its per-session NATS user, in operator mode. */
  user: IssuedUser | undefined;
  /** Connects another client with the agent's key to the same session, presenting `token`. */
  connectAgain(token: string): Promise<Client>;
}

export interface MeshOptions {
  approvalMs?: number;
  /**
   * nats-server in operator/JWT mode: node, broker and operator connect as their own users, each
   * session gets its own NATS user, and suspend/kill revoke it. @default false
   */
  natsAuth?: boolean;
  /** The node's audit (redaction, a file system that can fail). @default the node's defaults */
  audit?: NodeAuditOptions;
  /** The GitHub fixture appends every tools/call it receives to this file. */
  callLog?: string;
  /** The approvers' identity provider. @default none: the node refuses approvals */
  approvers?: ApproverVerifierOptions;
}

/** How a process authenticates: its user's creds, or nothing on an open server. */
function as(user: IssuedUser | undefined): Partial<ConnectionOptions> {
  return user ? { authenticator: credsAuthenticator(new TextEncoder().encode(user.creds)) } : {};
}

/** A real nats-server, a real broker in front of the GitHub-like fixture, and a mesh node. */
export async function startMesh(options: MeshOptions = {}): Promise<Mesh> {
  const dir = await mkdtemp(join(tmpdir(), 'trustmesh-session-'));
  const authority = options.natsAuth
    ? await createNatsAuthority({ stateDir: join(dir, 'nats-auth') })
    : undefined;
  const nats = await startNats(authority ? { extraConfig: authority.serverConfig() } : {});
  await writeFile(join(dir, 'policy.yaml'), POLICY);
  const { tokenKey } = await loadNodeState(dir);
  const pki = await createTestPki();
  const nodeIdentity = await pki.identity('node', 'node-1');
  const issuerAt = (at: number | undefined) => sessionTokenIssuer(tokenKey, at ? () => at : undefined);
  const users = [
    authority?.issueNodeUser({ nodeId: 'node-1' }),
    authority?.issueBrokerUser({ server: 'github' }),
    authority?.issueNodeUser({ nodeId: 'operator' }),
    authority?.issueClaimsPusher(),
  ];
  const [meshNc, brokerNc, operator, pusher] = await Promise.all(
    users.map((user, i) => (i < 3 || user ? connect({ servers: nats.url, ...as(user) }) : undefined)),
  );
  const sessionUsers = await openSessionUsers(operator!);
  const revocations = await KvRevocationList.open(operator!);
  const broker = new ToolBroker({
    connection: brokerNc!,
    server: 'github',
    upstream: {
      kind: 'stdio',
      ...fixtureCommand('github', options.callLog ? { callLog: options.callLog } : {}),
    },
    identity: await pki.identity('broker', 'github'),
    trust: pki.trust({ revocations }),
    pinStore: new FilePinStore(dir),
    allowedCommands: [basename(process.execPath)],
  });
  await broker.start();
  await broker.waitForState(['ready'], 15_000);
  const node = await MeshNode.start({
    nc: meshNc!,
    stateDir: dir,
    signer: nodeIdentity,
    anchors: pki.anchors,
    policyPaths: [join(dir, 'policy.yaml')],
    session: { timeouts: { approvalMs: options.approvalMs ?? 60_000 } },
    ...(options.audit ? { audit: options.audit } : {}),
    ...(options.approvers ? { approvers: options.approvers } : {}),
    ...(authority && pusher ? { revokeNatsUser: (key: string) => authority.revokeUser(key, pusher) } : {}),
  });
  const control = new MeshControl({ nc: operator! });
  const meshKey = importVerifyingKey(
    publicJwkOf(JSON.parse(await readFile(nodeStatePaths(dir).identity, 'utf8'))),
  );
  const agents: NatsConnection[] = [];
  return {
    url: nats.url,
    dir,
    node,
    auditDir: node.auditDir!,
    pki,
    nodeIdentity,
    revocations,
    control,
    operator: operator!,
    async session(
      purpose,
      { tweak = (request: SessionTokenRequest) => request, issuedAt, present = true } = {},
    ) {
      const sid = newSessionId();
      const keys = generateKeyPair('ed25519');
      const now = Date.now();
      const descriptor: SessionDescriptor = {
        sid,
        principal: 'alice@example.com',
        purpose,
        agentPublicKey: keys.publicJwk as SessionDescriptor['agentPublicKey'],
        createdAt: now,
        expiresAt: now + 3_600_000,
      };
      await control.createSession(descriptor);
      const { token } = await issuerAt(issuedAt).issue(
        tweak({
          sessionId: sid,
          principal: descriptor.principal,
          purpose,
          // The node's policy now: a test may have replaced POLICY with its own.
          ...policyGrant(purpose, node.policy),
          agentKey: keys.publicJwk,
        }),
      );
      await until(async () => (await control.listSessions()).some((s) => s.sid === sid));
      const user = authority?.issueSessionUser({ sid, expiresAt: descriptor.expiresAt });
      if (user) await recordSessionUser(sessionUsers, sid, user.publicKey);
      const connectAgent = async (presented: string | undefined) => {
        const nc = await connect({
          servers: nats.url,
          reconnect: false,
          ...as(user),
          ...sessionConnectOptions('tm', sid),
        });
        agents.push(nc);
        const client = new Client({ name: 'agent', version: '1.0.0' });
        const transport = new NatsClientTransport({
          nc,
          sid,
          identity: keys.signingKey,
          trust: new KeyRing([meshKey]),
        });
        await client.connect(presented === undefined ? transport : withSessionToken(transport, presented));
        return { client, nc };
      };
      const { client, nc } = await connectAgent(present ? token : undefined);
      return {
        sid,
        client,
        token,
        nc,
        user,
        connectAgain: async (presented) => (await connectAgent(presented)).client,
      };
    },
    async stop() {
      await node.close();
      await broker.drain();
      await revocations.close();
      await Promise.allSettled(
        [...agents, meshNc!, brokerNc!, operator!, ...(pusher ? [pusher] : [])].map((nc) => nc.close()),
      );
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Re-checks a condition the mesh reaches asynchronously (the registry watch); fails after 10 s. */
export async function until(check: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the mesh never reached the expected state');
}
