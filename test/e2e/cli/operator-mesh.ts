import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { FilePinStore, ToolBroker } from '../../../src/actors/broker/index.js';
import { MeshControl } from '../../../src/actors/control/index.js';
import { stopChild } from '../../../src/cli/child.js';
import { loadIdentity } from '../../../src/cli/mesh-identity.js';
import { issueLocalMeshTls } from '../../../src/cli/mesh-tls.js';
import { LeafKind } from '../../../src/pki/index.js';
import { readSessionFile } from '../../../src/pki/session-file.js';
import { MeshTrust } from '../../../src/pki/signer/index.js';
import { natsClientTls, natsClientTlsFiles, renderNatsTlsBlock } from '../../../src/pki/tls/index.js';
import { withSessionToken } from '../../../src/pki/tokens/index.js';
import {
  importSigningKey,
  importVerifyingKey,
  KeyRing,
  NatsClientTransport,
  sessionConnectOptions,
} from '../../../src/transport/index.js';
import { fixtureCommand } from '../../fixtures/mcp/servers.js';
import { POLICY } from '../../integration/actors/session/mesh-fixture.js';
import { startNats } from '../../support/nats-harness.js';
import { type OidcProvider, startOidcProvider } from '../../support/oidc-provider.js';

const CLI = [process.execPath, '--import', 'tsx', join(import.meta.dirname, '../../../src/cli/run.ts')];

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface OperatorMesh {
  readonly url: string;
  readonly dir: string;
  /** The approvers' identity provider the node verifies ID tokens with. */
  readonly idp: OidcProvider;
  /** An in-process operator client, for waiting on the mesh without paying a CLI start each time. */
  readonly control: MeshControl;
  /** Runs `trustmesh <args>` as a child process against this mesh; never rejects. */
  cli(...args: string[]): Promise<CliRun>;
  /** Like `cli` with --json, parsing the one line it prints. */
  cliJson<T = Record<string, unknown>>(...args: string[]): Promise<{ code: number; body: T }>;
  /** An SDK client connected to a session with nothing but its session file (key, trust, token), as the bridge does. */
  agent(sessionFile: string): Promise<Client>;
  stop(): Promise<void>;
}

/**
 * A real nats-server, a real broker in front of the GitHub-like fixture server, and a real
 * `trustmesh node` process, all sharing one state directory. The server runs mutual TLS with the
 * leaves `trustmesh up` would issue, so the CLI finds its operator certificate through --dir.
 */
export async function startOperatorMesh(options: { approvalMs: number }): Promise<OperatorMesh> {
  const idp = await startOidcProvider();
  const dir = await mkdtemp(join(tmpdir(), 'trustmesh-operator-'));
  const tls = await issueLocalMeshTls(dir, 'github', 3_600_000);
  const nats = await startNats({ extraConfig: renderNatsTlsBlock({ ...tls.server, verify: true }) });
  const policy = join(dir, 'policy.yaml');
  await writeFile(policy, POLICY);
  // The broker signs its answers with the leaf it connects with, as `trustmesh broker run` does.
  const { identity, anchors } = await loadIdentity({ dir }, LeafKind.Broker, 'github');
  const brokerNc = await connect({ servers: nats.url, tls: natsClientTlsFiles(tls.broker) });
  const broker = new ToolBroker({
    connection: brokerNc,
    server: 'github',
    upstream: { kind: 'stdio', ...fixtureCommand('github') },
    identity,
    trust: new MeshTrust({ anchors, revocations: { isRevoked: () => false } }),
    pinStore: new FilePinStore(dir),
    allowedCommands: [basename(process.execPath)],
  });
  await broker.start();
  await broker.waitForState(['ready'], 15_000);
  const node = await startNode([
    'node',
    '--nats',
    nats.url,
    '--dir',
    dir,
    '--policy',
    policy,
    '--approval-timeout',
    String(options.approvalMs),
    '--tls-cert',
    tls.node.certFile,
    '--tls-key',
    tls.node.keyFile,
    '--tls-ca',
    tls.node.caFile,
    '--approver-issuer',
    idp.issuer,
    '--approver-audience',
    idp.audience,
  ]);
  const operator = await connect({ servers: nats.url, tls: natsClientTlsFiles(tls.operator) });
  const agents: NatsConnection[] = [];
  const meshFlags = ['--nats', nats.url, '--dir', dir];

  const cli = (...args: string[]) =>
    new Promise<CliRun>((resolve) => {
      execFile(
        CLI[0]!,
        [...CLI.slice(1), ...args, ...meshFlags],
        { env: { ...process.env, USER: 'alice' } },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      );
    });

  return {
    url: nats.url,
    dir,
    idp,
    control: new MeshControl({ nc: operator }),
    cli,
    async cliJson<T>(...args: string[]) {
      const run = await cli(...args, '--json');
      return { code: run.code, body: JSON.parse(run.stdout) as T };
    },
    async agent(sessionFile) {
      const session = await readSessionFile(sessionFile);
      const nc = await connect({
        servers: session.natsUrl,
        tls: natsClientTls(session.tls!),
        ...sessionConnectOptions(session.prefix, session.sessionId),
      });
      agents.push(nc);
      const client = new Client({ name: 'agent', version: '1.0.0' });
      const transport = new NatsClientTransport({
        nc,
        sid: session.sessionId,
        prefix: session.prefix,
        identity: importSigningKey(session.agentKey),
        trust: new KeyRing(session.meshKeys.map((jwk) => importVerifyingKey(jwk))),
      });
      await client.connect(withSessionToken(transport, session.token));
      return client;
    },
    async stop() {
      await stopChild(node);
      await broker.drain();
      await Promise.allSettled([...agents, brokerNc, operator].map((nc) => nc.close()));
      await idp.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Spawns `trustmesh node` and resolves once it prints its ready line. */
async function startNode(args: string[]): Promise<ChildProcess> {
  const child = spawn(CLI[0]!, [...CLI.slice(1), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => log.push(line));
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`trustmesh node exited (${code}):\n${log.join('\n')}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      child.removeAllListeners('exit');
      if (JSON.parse(line).ready === true) resolve();
      else reject(new Error(`trustmesh node printed ${line}`));
    });
  });
  return child;
}
