import type { ChildProcess } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { type Command, Option } from 'commander';
import { demoPolicyYaml } from '../demo/policy.js';
import { createDemoWorkspace } from '../demo/workspace.js';
import { ensureNatsServer, startNatsServer } from '../natsd/index.js';
import type { CertificateRenewer } from '../pki/certs/index.js';
import { writeSecretFile } from '../pki/key-store.js';
import type { NatsAuthority } from '../pki/nats-auth/index.js';
import {
  type ClientTlsFiles,
  renderNatsTlsBlock,
  rotateNatsServerCertificate,
  startLeafRenewal,
} from '../pki/tls/index.js';
import { DEFAULT_PREFIX } from '../transport/index.js';
import { type ApproverFlags, approverArgs, withApproverFlags } from './approver-flags.js';
import { shellQuote, spawnTrustmesh, stopChild, untilSignal } from './child.js';
import { parseDuration } from './duration.js';
import { meshCredsPath, openNatsAuthority, writeMeshInfo } from './mesh-connection.js';
import { issueLocalMeshTls, meshPkiDir } from './mesh-tls.js';
import { createOutput, type Output } from './output.js';
import { parsePort } from './parse.js';
import { DEFAULT_STATE_DIR, type StateLayout, stateLayout } from './state-dir.js';

interface UpOptions extends ApproverFlags {
  dir: string;
  port: number;
  certTtl: number;
  json?: boolean;
}

/** The demo session: the seed article's code-review purpose, for a demo principal. */
const DEMO_PURPOSE = 'code-review';
const DEMO_USER = 'demo@trustmesh.local';
const STEPS = 6;
/** The MCP server the local broker fronts. */
const DEMO_SERVER = 'filesystem';

export function registerUpCommand(program: Command): void {
  withApproverFlags(program.command('up'))
    .description(
      'Start a local mesh with no configuration: nats-server, a mesh node, a broker in front of the ' +
        'filesystem MCP server over a demo workspace, the seed code-review policy, and a ready session.',
    )
    .option(
      '--dir <dir>',
      'state directory for keys, policy, workspace, sessions and the nats-server store',
      DEFAULT_STATE_DIR,
    )
    .option('--port <port>', 'nats-server client port on 127.0.0.1 (0 picks a free port)', parsePort, 0)
    .addOption(
      new Option(
        '--cert-ttl <duration>',
        'lifetime of the TLS certificates of nats-server, node, broker and operator tools (1m or more); each renews at half-life',
      )
        .argParser(parseDuration)
        .default(parseDuration('1h'), '1h'),
    )
    .option('--json', 'print one JSON object once the mesh is up, for scripts')
    .addHelpText(
      'after',
      '\nApprovals: the node accepts an approval only with an ID token from the --approver-issuer identity\n' +
        'provider; without one, calls that need approval wait and are denied at their deadline.\n' +
        'Example:\n  trustmesh up            # then connect an MCP client with the line it prints; Ctrl-C stops it all',
    )
    .action(async (options: UpOptions) => {
      await up(options, createOutput(options.json === true));
    });
}

async function up(options: UpOptions, out: Output): Promise<void> {
  const layout = stateLayout(options.dir);
  const step = (n: number, what: string) => out.progress(`${n}/${STEPS} ${what}`);
  step(1, 'checking for nats-server…');
  const binary = await ensureNatsServer({ onProgress: out.progress });

  step(
    2,
    `starting nats-server ${binary.version} with JetStream on 127.0.0.1, in operator mode with mutual TLS…`,
  );
  const authority = await openNatsAuthority(layout.root);
  const tls = await issueLocalMeshTls(layout.root, DEMO_SERVER, options.certTtl);
  const nats = await startNatsServer({
    dir: layout.natsDir,
    port: options.port,
    binary: binary.path,
    extraConfig: [
      authority.serverConfig({ resolverDir: join(layout.natsDir, 'resolver') }),
      renderNatsTlsBlock({ ...tls.server, verify: true }),
    ].join('\n'),
  });
  const children: ChildProcess[] = [];
  const renewers: CertificateRenewer[] = [];
  try {
    const creds = await writeMeshCreds(layout.root, authority);
    await writeMeshInfo(layout.root, { natsUrl: nats.url, prefix: DEFAULT_PREFIX });
    step(3, `writing the demo workspace and the code-review policy under ${layout.root}…`);
    await writeDemoFiles(layout);

    const common = ['--nats', nats.url, '--dir', layout.root];
    const tlsFlags = (files: ClientTlsFiles) => [
      '--tls-cert',
      files.certFile,
      '--tls-key',
      files.keyFile,
      '--tls-ca',
      files.caFile,
      '--tls-renew-from',
      meshPkiDir(layout.root),
    ];
    const forward = (who: string) => (line: string) => out.progress(`[${who}] ${line}`);
    step(4, 'starting the mesh node…');
    const node = await spawnTrustmesh(
      [
        'node',
        ...common,
        '--policy',
        layout.policyDir,
        '--creds',
        creds.node,
        ...tlsFlags(tls.node),
        ...approverArgs(options),
      ],
      { onStderr: forward('node') },
    );
    children.push(node.child);

    step(5, 'starting the broker for the filesystem MCP server…');
    const broker = await spawnTrustmesh(
      [
        'broker',
        'run',
        '--server',
        DEMO_SERVER,
        ...common,
        '--allow-command',
        basename(process.execPath),
        '--creds',
        creds.broker,
        ...tlsFlags(tls.broker),
      ].concat(['--', process.execPath, filesystemServerEntry(), layout.workspace]),
      { onStderr: forward('broker') },
    );
    children.push(broker.child);

    step(6, `creating a ${DEMO_PURPOSE} session for ${DEMO_USER}…`);
    await rm(layout.demoSessionFile, { force: true });
    const session = await spawnTrustmesh(
      ['session', 'create', '--purpose', DEMO_PURPOSE, '--user', DEMO_USER, ...common].concat([
        '--out',
        layout.demoSessionFile,
        '--json',
      ]),
      { onStderr: forward('session') },
    );
    const bridge = session.ready.bridge as string[];
    // nats-server reloads its renewed certificate on SIGHUP; operator tools read theirs at each start.
    // Started once everything is up: in operator mode a reload reconnects every client (decision
    // 0011), which a process still opening its buckets, or a session create, would not survive.
    renewers.push(
      ...(await Promise.all([
        startLeafRenewal({
          pkiDir: meshPkiDir(layout.root),
          files: tls.server,
          install: (next) => rotateNatsServerCertificate(nats, tls.server, next),
          onError: (err) => out.progress(`nats-server certificate renewal failed: ${(err as Error).message}`),
        }),
        startLeafRenewal({
          pkiDir: meshPkiDir(layout.root),
          files: tls.operator,
          onError: (err) => out.progress(`operator certificate renewal failed: ${(err as Error).message}`),
        }),
      ])),
    );
    out.result(
      [
        `trustmesh is up: nats-server ${nats.url}, mesh node pid ${node.child.pid}, filesystem broker pid ${broker.child.pid}.`,
        `Session ${String(session.ready.sid)} (${DEMO_PURPOSE} for ${DEMO_USER}) may read src/**/*.ts(x) in`,
        `${layout.workspace}; .env, secrets and writes are denied. Policy: ${layout.policyDir}.`,
        '',
        'Connect any stdio MCP client by having it launch:',
        `  ${bridge.map(shellQuote).join(' ')}`,
        '',
        `Watch it with 'trustmesh sessions list', its calls with 'trustmesh audit tail --dir ${shellQuote(String(node.ready.auditDir))} --follow';`,
        'press Ctrl-C to stop the mesh.',
      ].join('\n'),
      {
        ok: true,
        natsUrl: nats.url,
        natsPid: nats.pid,
        nodePid: node.child.pid,
        brokerPid: broker.child.pid,
        brokerState: broker.ready.state,
        sessionId: session.ready.sid,
        sessionFile: layout.demoSessionFile,
        workspace: layout.workspace,
        policyVersion: node.ready.policyVersion,
        auditDir: node.ready.auditDir,
        bridge,
      },
    );
    const exited = children.map(
      (child) => new Promise<string>((resolve) => child.once('exit', () => resolve('a child exited'))),
    );
    const why = await Promise.race([untilSignal(), ...exited]);
    out.progress(`stopping (${why})…`);
  } finally {
    for (const renewer of renewers) renewer.stop();
    // The node first: its sessions end before the broker they call goes away.
    for (const child of children) await stopChild(child);
    await nats.stop();
  }
  out.progress('trustmesh stopped.');
}

/**
 * Each mesh process connects as its own NATS user (0600 `.creds` under <dir>/creds): the node, the
 * filesystem broker, and the operator tools (sessions, approvals, session create). Re-issued on every
 * start, so none outlives the authority's maximum user lifetime by more than one run.
 */
async function writeMeshCreds(
  root: string,
  authority: NatsAuthority,
): Promise<{ node: string; broker: string }> {
  const issued = {
    node: authority.issueNodeUser({ nodeId: 'local' }),
    'broker-filesystem': authority.issueBrokerUser({ server: 'filesystem' }),
    operator: authority.issueNodeUser({ nodeId: 'operator' }),
  };
  await Promise.all(
    Object.entries(issued).map(([name, user]) => writeSecretFile(meshCredsPath(root, name), user.creds)),
  );
  return { node: meshCredsPath(root, 'node'), broker: meshCredsPath(root, 'broker-filesystem') };
}

async function writeDemoFiles(layout: StateLayout): Promise<void> {
  await createDemoWorkspace(layout.workspace);
  await mkdir(layout.policyDir, { recursive: true });
  await writeFile(join(layout.policyDir, 'demo.yaml'), demoPolicyYaml(layout.workspace));
}

/** The published filesystem MCP server's entry script, run with this same Node. */
function filesystemServerEntry(): string {
  const require = createRequire(import.meta.url);
  return join(
    dirname(require.resolve('@modelcontextprotocol/server-filesystem/package.json')),
    'dist',
    'index.js',
  );
}
