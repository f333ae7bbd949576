import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { type BrokerCatalogue, FilePinStore, ToolBroker, type Upstream } from '../actors/broker/index.js';
import { MeshControl, serveBrokerControl } from '../actors/control/index.js';
import { KvRevocationList, LeafKind } from '../pki/index.js';
import { brokerInboxPrefix } from '../pki/nats-auth/index.js';
import { MeshTrust } from '../pki/signer/index.js';
import { untilSignal } from './child.js';
import { connectToMesh, type MeshConnectionFlags, resolveMesh, withMeshFlags } from './mesh-connection.js';
import { type IdentityFlags, loadIdentity, withIdentityFlags } from './mesh-identity.js';
import { renewOwnLeaf, type TlsFlags, tlsFilesOf, withTlsFlags } from './mesh-tls.js';
import { createOutput } from './output.js';
import { withTelemetry } from './telemetry.js';

interface RunFlags extends MeshConnectionFlags, TlsFlags, IdentityFlags {
  server: string;
  url?: string;
  allowCommand: string[];
  creds?: string;
}

interface ApproveFlags extends MeshConnectionFlags {
  operator: string;
  expect?: string;
  json?: boolean;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function registerBrokerCommands(program: Command): void {
  const broker = program
    .command('broker')
    .description('Run tool brokers in front of MCP servers, and review or approve what they serve.');

  withIdentityFlags(withTlsFlags(withMeshFlags(broker.command('run'))), LeafKind.Broker, '<server>')
    .description('Front one MCP server (stdio command after --, or --url) and serve its tools to the mesh.')
    .requiredOption('--server <name>', 'server name: tools appear to sessions as <name>.<tool>')
    .option('--url <url>', 'Streamable HTTP URL of the MCP server (instead of a stdio command)')
    .option(
      '--allow-command <name>',
      'basename a stdio server may be started with; repeat for several',
      collect,
      [],
    )
    .option('--creds <file>', "the broker's own NATS user credentials (a mesh in operator mode)")
    .argument('[command...]', 'stdio server command and arguments, after --; spawned without a shell')
    .addHelpText(
      'after',
      '\nThe broker signs its answers with its broker certificate (--cert/--key, issued for --server) and\n' +
        'accepts only capabilities signed by node certificates chaining to the mesh CA in --pki, checked\n' +
        'against the revocation list in NATS. A server is quarantined until its tool definitions are\n' +
        "approved ('trustmesh broker approve <server>').\n" +
        'Example:\n  trustmesh broker run --server filesystem --allow-command npx -- npx -y @modelcontextprotocol/server-filesystem /srv/repo',
    )
    .action((command: string[], flags: RunFlags) =>
      withTelemetry('trustmesh-broker', () => runBroker(command, flags)),
    );

  withMeshFlags(broker.command('status'))
    .description("Show a broker's state, pinned catalogue and any quarantine report.")
    .argument('<server>', 'server name')
    .option('--json', 'print the catalogue as JSON')
    .addHelpText('after', '\nExample:\n  trustmesh broker status filesystem')
    .action(async (server: string, flags: MeshConnectionFlags & { json?: boolean }) => {
      const out = createOutput(flags.json === true);
      const catalogue = await withControl(flags, (control) => control.brokerStatus(server));
      out.result(describeCatalogue(catalogue), catalogue);
    });

  withMeshFlags(broker.command('approve'))
    .description('Pin what a server lists now (after review), lifting its quarantine.')
    .argument('<server>', 'server name')
    .option('--operator <name>', 'who approves (recorded with the pin)', process.env.USER ?? 'operator')
    .option(
      '--expect <hash>',
      'the listed set hash you reviewed; refused if the server lists anything else now',
    )
    .addHelpText(
      'after',
      '\nReview first with trustmesh broker status <server>.\nExample:\n  trustmesh broker approve filesystem --expect sha256:…',
    )
    .option('--json', 'print the new catalogue as JSON')
    .action(async (server: string, flags: ApproveFlags) => {
      const out = createOutput(flags.json === true);
      const catalogue = await withControl(flags, (control) =>
        control.approveBroker(server, { operator: flags.operator, expectedSetHash: flags.expect }),
      );
      out.result(
        `approved: ${server} now serves ${catalogue.tools.length} pinned tool(s) (${catalogue.pinnedSetHash}).`,
        catalogue,
      );
    });
}

async function withControl<T>(
  flags: MeshConnectionFlags,
  work: (control: MeshControl) => Promise<T>,
): Promise<T> {
  const mesh = await resolveMesh(flags);
  const nc = await connectToMesh(mesh, 'trustmesh-broker-cli');
  try {
    return await work(new MeshControl({ nc, prefix: mesh.prefix }));
  } finally {
    await nc.close();
  }
}

async function runBroker(command: string[], flags: RunFlags): Promise<void> {
  const [program, ...args] = command;
  const upstream: Upstream = flags.url
    ? { kind: 'http', url: flags.url }
    : { kind: 'stdio', command: program ?? '', args };
  // Before connecting: a broker without its certificate could answer no call.
  const { identity, anchors } = await loadIdentity(flags, LeafKind.Broker, flags.server);
  const resolved = await resolveMesh(flags);
  const tls = tlsFilesOf(flags);
  const mesh = { ...resolved, ...(flags.creds ? { creds: flags.creds } : {}), ...(tls ? { tls } : {}) };
  // Its own inbox prefix: a broker user may receive replies (revocation list lookups) only there.
  const nc = await connectToMesh(mesh, `trustmesh-broker-${flags.server}-${process.pid}`, {
    service: true,
    inboxPrefix: brokerInboxPrefix(flags.server),
  });
  // The leaf it connects with is the one it signs with: after each renewal, answers use the successor.
  const renewer = await renewOwnLeaf(
    flags,
    (line) => process.stderr.write(`${line}\n`),
    () => identity.reload(),
  );
  let revocations: KvRevocationList | undefined;
  try {
    revocations = await KvRevocationList.open(nc);
    const broker = new ToolBroker({
      connection: nc,
      server: flags.server,
      prefix: mesh.prefix,
      upstream,
      identity,
      trust: new MeshTrust({ anchors, revocations }),
      pinStore: new FilePinStore(join(flags.dir, 'pins')),
      allowedCommands: flags.allowCommand.map((name) => basename(name)),
    });
    await broker.start();
    const control = serveBrokerControl({ nc, broker, prefix: mesh.prefix });
    await broker.waitForState(['ready', 'quarantined', 'failed'], 30_000);
    const catalogue = broker.catalogue();
    process.stdout.write(
      `${JSON.stringify({ ready: true, server: flags.server, state: catalogue.state, pid: process.pid, quarantine: catalogue.quarantine })}\n`,
    );
    process.stderr.write(`${describeCatalogue(catalogue)}\n`);
    await Promise.race([untilSignal(), nc.closed()]);
    control.unsubscribe();
    await broker.drain();
  } finally {
    renewer?.stop();
    await revocations?.close();
    if (!nc.isClosed()) await nc.drain();
  }
}

/** What an operator needs to see about a broker, and what to do next. */
export function describeCatalogue(catalogue: BrokerCatalogue): string {
  const lines = [`broker ${catalogue.server}: ${catalogue.state}, ${catalogue.tools.length} pinned tool(s)`];
  if (catalogue.approvedBy) lines.push(`  pinned ${catalogue.pinnedSetHash} by ${catalogue.approvedBy}`);
  const q = catalogue.quarantine;
  if (q) {
    const { added, removed, changed } = q.diff;
    lines.push(
      q.neverApproved
        ? '  quarantined: its tools were never approved'
        : '  quarantined: its tool definitions changed',
    );
    if (added.length > 0) lines.push(`    added:   ${added.join(', ')}`);
    if (removed.length > 0) lines.push(`    removed: ${removed.join(', ')}`);
    if (changed.length > 0) lines.push(`    changed: ${changed.join(', ')}`);
    for (const flag of q.flagged)
      lines.push(`    ${flag.tool}: injection markers ${flag.markers.join(', ')}`);
    lines.push(
      `  review, then run: trustmesh broker approve ${catalogue.server} --expect ${catalogue.listedSetHash}`,
    );
  }
  return lines.join('\n');
}
