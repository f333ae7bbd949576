import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { FilePinStore, ToolBroker, type Upstream } from '../../../src/actors/broker/index.js';
import {
  ApprovalRecordSchema,
  controlSubjects,
  MeshControl,
  type SessionDescriptor,
  type SessionInspection,
} from '../../../src/actors/control/index.js';
import { type BaselineSet, openBaselineBucket, storeBaselines } from '../../../src/actors/monitor/index.js';
import {
  loadNodeState,
  MeshNode,
  nodeStatePaths,
  sessionGrant,
  sessionTokenIssuer,
} from '../../../src/actors/node/index.js';
import { publicJwkOf } from '../../../src/pki/key-store.js';
import { withSessionToken } from '../../../src/pki/tokens/index.js';
import { loadPolicy } from '../../../src/policy/index.js';
import {
  generateKeyPair,
  importVerifyingKey,
  KeyRing,
  NatsClientTransport,
  newSessionId,
  sessionConnectOptions,
} from '../../../src/transport/index.js';
import { type ScriptedServer, serveScripted } from '../../fixtures/mcp/scripted-server.js';
import type { Step, Workload } from '../../fixtures/workloads/workload.js';
import { createTestPki } from '../../support/mesh-pki.js';
import { startNats } from '../../support/nats-harness.js';
import { startOidcProvider } from '../../support/oidc-provider.js';
import { POLICY, SCRIPTED_TOOLS } from './policy.js';

const FILESYSTEM_SERVER = createRequire(import.meta.url).resolve(
  '@modelcontextprotocol/server-filesystem/dist/index.js',
);
const HOUR = 3_600_000;
/** Sessions live long enough for the overlong scenario; each starts a second after the last one ended. */
const SESSION_TTL_MS = 12 * HOUR;
/**
 * The node's lease is judged by the same clock the scripts move forward; a lease longer than all the
 * scripted time together keeps the node the host throughout (liveness is not what these tests probe).
 */
const LEASE_MS = 100 * HOUR;

/** What one scripted call came to, and the session's state right after it. */
export interface CallOutcome {
  readonly step: Step;
  readonly error: McpError | undefined;
  readonly stateAfter: string;
}

export interface SessionRun {
  readonly sid: string;
  readonly calls: readonly CallOutcome[];
  readonly inspection: SessionInspection;
}

export interface RedTeamMesh {
  readonly node: MeshNode;
  readonly control: MeshControl;
  /**
   * Runs a workload as an agent would: a registered session with the workload's task, an SDK client over
   * the NATS transport, each call at its scripted time on the mesh's clock. Answers come from the real
   * filesystem server (files written from the script) or the scripted servers.
   */
  run(workload: Workload): Promise<SessionRun>;
  stop(): Promise<void>;
}

/**
 * A real nats-server, real brokers (server-filesystem over a workspace, scripted GitHub-, web-,
 * warehouse- and Slack-like servers over Streamable HTTP), one mesh node, all on one controlled clock;
 * `baselines` are stored in the KV bucket the node follows. Approvals are denied by an operator at once.
 */
export async function startRedTeamMesh(baselines?: BaselineSet): Promise<RedTeamMesh> {
  const dir = await mkdtemp(join(tmpdir(), 'trustmesh-red-team-'));
  const workspace = join(dir, 'workspace');
  await mkdir(workspace);
  let now = Date.now();
  const clock = () => now;
  const nats = await startNats();
  await writeFile(join(dir, 'policy.yaml'), POLICY.replace('ROOT', workspace));
  const { tokenKey } = await loadNodeState(dir);
  // Certificates outlive anything the controlled clock is moved through; their checks use the real clock.
  const pki = await createTestPki();
  const leaf = { ttlMs: 30 * 24 * 3_600_000 };
  const trust = pki.trust();
  const [meshNc, brokerNc, operator] = await Promise.all([1, 2, 3].map(() => connect({ servers: nats.url })));
  const mesh = meshNc!;
  const ops = operator!;
  const answers = new Map<string, string>();
  const scripted: ScriptedServer[] = [];
  const upstreams: [string, Upstream][] = [
    ['filesystem', { kind: 'stdio', command: process.execPath, args: [FILESYSTEM_SERVER, workspace] }],
  ];
  for (const [server, tools] of Object.entries(SCRIPTED_TOOLS)) {
    const served = await serveScripted(server, tools, (tool) => answers.get(`${server}.${tool}`) ?? '');
    scripted.push(served);
    upstreams.push([server, { kind: 'http', url: served.url }]);
  }
  const identities = await Promise.all(upstreams.map(([server]) => pki.identity('broker', server, leaf)));
  const brokers = upstreams.map(
    ([server, upstream], i) =>
      new ToolBroker({
        connection: brokerNc!,
        server,
        upstream,
        identity: identities[i]!,
        trust,
        pinStore: new FilePinStore(join(dir, 'pins')),
        allowedCommands: [basename(process.execPath)],
        clock,
      }),
  );
  await Promise.all(brokers.map((b) => b.start().then(() => b.waitForState(['ready'], 15_000))));
  if (baselines) await storeBaselines(await openBaselineBucket(ops), baselines);
  const policy = await loadPolicy([join(dir, 'policy.yaml')]);
  // The on-call approver signs in with MFA at a local identity provider on the mesh's clock.
  const idp = await startOidcProvider(clock);
  const node = await MeshNode.start({
    nc: mesh,
    stateDir: dir,
    signer: await pki.identity('node', 'node-1', leaf),
    anchors: pki.anchors,
    policyPaths: [join(dir, 'policy.yaml')],
    clock,
    placement: { leaseMs: LEASE_MS, passivateAfterMs: 0 },
    approvers: { issuer: idp.issuer, audience: idp.audience },
  });
  const control = new MeshControl({ nc: ops });
  // The operator on call denies every step-up: nothing a contained session asks for is approved.
  const approvals = ops.subscribe(controlSubjects('tm').approvalsRequested, {
    callback: (err, msg) => {
      if (err) return;
      const { sid, callId } = ApprovalRecordSchema.parse(msg.json());
      void idp
        .sign({ amr: ['pwd', 'hwk'] }, { subject: 'sec-oncall' })
        .then((idToken) => control.deny(sid, { callId, idToken, reason: 'not expected' }))
        .catch(() => {});
    },
  });
  const meshKey = importVerifyingKey(
    publicJwkOf(JSON.parse(await readFile(nodeStatePaths(dir).identity, 'utf8'))),
  );
  const issuer = sessionTokenIssuer(tokenKey, clock);
  const agents: NatsConnection[] = [];

  async function writeWorkspace(workload: Workload): Promise<void> {
    for (const { call, outcome } of workload.steps) {
      const path = (call.args as { path?: unknown }).path;
      if (call.tool !== 'filesystem.read_file' || typeof path !== 'string' || path.startsWith('/')) continue;
      const file = join(workspace, path);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, outcome.resultText ?? '');
    }
  }

  async function connectAgent(workload: Workload) {
    const sid = newSessionId();
    const keys = generateKeyPair('ed25519');
    const descriptor: SessionDescriptor = {
      sid,
      principal: 'agent@example.com',
      purpose: workload.purpose,
      agentPublicKey: keys.publicJwk as SessionDescriptor['agentPublicKey'],
      createdAt: now,
      expiresAt: now + SESSION_TTL_MS,
      task: workload.context,
    };
    await control.createSession(descriptor);
    const { token } = await issuer.issue({
      sessionId: sid,
      principal: descriptor.principal,
      purpose: workload.purpose,
      ...sessionGrant(policy, descriptor.purpose, descriptor.principal),
      agentKey: keys.publicJwk,
      ttlMs: SESSION_TTL_MS,
    });
    // The node activates the session from its registry watch.
    while (node.session(sid) === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    const nc = await connect({ servers: nats.url, reconnect: false, ...sessionConnectOptions('tm', sid) });
    agents.push(nc);
    const client = new Client({ name: 'agent', version: '1.0.0' });
    const transport = new NatsClientTransport({
      nc,
      sid,
      identity: keys.signingKey,
      trust: new KeyRing([meshKey]),
      clock,
    });
    await client.connect(withSessionToken(transport, token));
    return { sid, client, nc };
  }

  return {
    node,
    control,
    async run(workload) {
      await writeWorkspace(workload);
      const start = now;
      const { sid, client, nc } = await connectAgent(workload);
      const calls: CallOutcome[] = [];
      for (const step of workload.steps) {
        now = start + Math.round(step.at);
        answers.set(step.call.tool, step.outcome.resultText ?? '');
        const error = await client
          .callTool({ name: step.call.tool, arguments: step.call.args as Record<string, unknown> })
          .then(
            () => undefined,
            (err: unknown) => {
              if (err instanceof McpError) return err;
              throw err;
            },
          );
        calls.push({ step, error, stateAfter: node.session(sid)?.status ?? 'gone' });
      }
      const inspection = await control.inspect(sid);
      await client.close();
      await nc.close();
      await control.kill(sid, { operator: 'test', reason: 'workload done' });
      now += 1_000;
      return { sid, calls, inspection };
    },
    async stop() {
      approvals.unsubscribe();
      await node.close();
      await Promise.allSettled(brokers.map((b) => b.drain()));
      await Promise.allSettled(scripted.map((s) => s.close()));
      await Promise.allSettled([...agents, mesh, brokerNc!, ops].map((nc) => nc.close()));
      await idp.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
