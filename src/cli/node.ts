import { readFile } from 'node:fs/promises';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { type Command, InvalidArgumentError } from 'commander';
import { parseMonitorConfig } from '../actors/monitor/index.js';
import { MeshNode } from '../actors/node/index.js';
import { LeafKind } from '../pki/index.js';
import { natsClientTlsFiles } from '../pki/tls/index.js';
import { DEFAULT_PREFIX } from '../transport/index.js';
import { type ApproverFlags, approverOptions, withApproverFlags } from './approver-flags.js';
import { untilSignal } from './child.js';
import { credsOptions, localNatsAuthority, SERVICE_CONNECTION } from './mesh-connection.js';
import { type IdentityFlags, loadIdentity, withIdentityFlags } from './mesh-identity.js';
import { LOCAL_NAME, renewOwnLeaf, type TlsFlags, tlsFilesOf, withTlsFlags } from './mesh-tls.js';
import { DEFAULT_STATE_DIR } from './state-dir.js';
import { withTelemetry } from './telemetry.js';

interface NodeOptions extends TlsFlags, ApproverFlags, IdentityFlags {
  nats: string;
  prefix: string;
  policy?: string[];
  approvalTimeout?: number;
  creds?: string;
  auditDir?: string;
  auditKey: string[];
  auditKeep: string[];
  auditDrop: string[];
  auditReplicas?: number;
  name?: string;
  lease?: number;
  passivateAfter?: number;
  placementReplicas?: number;
  detectionRules?: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function parseReplicas(value: string): number {
  const replicas = Number(value);
  if (!Number.isSafeInteger(replicas) || replicas < 1 || replicas > 5)
    throw new InvalidArgumentError('expected a number of replicas from 1 to 5.');
  return replicas;
}

function parseMs(value: string): number {
  const ms = Number(value);
  if (!Number.isSafeInteger(ms) || ms < 1)
    throw new InvalidArgumentError('expected a whole number of ms, 1 or more.');
  return ms;
}

export function registerNodeCommand(program: Command): void {
  withIdentityFlags(withApproverFlags(withTlsFlags(program.command('node'))), LeafKind.Node, LOCAL_NAME)
    .description(
      'Run a mesh node: host the sessions registered in NATS (KV trustmesh_sessions) and answer the control plane until stopped.',
    )
    .requiredOption('--nats <url>', 'NATS server URL (JetStream on), e.g. nats://127.0.0.1:4222')
    .option(
      '--policy <path>',
      'policy file or directory seeding the mesh policy bucket while it is empty (the bucket wins once it holds a bundle); repeat for several',
      collect,
    )
    .option('--dir <dir>', 'state directory holding keys/ (created when missing)', DEFAULT_STATE_DIR)
    .option('--prefix <prefix>', 'subject prefix of the mesh', DEFAULT_PREFIX)
    .option('--creds <file>', "the node's NATS user credentials (a mesh in operator mode)")
    .option('--approval-timeout <ms>', 'how long a call waits for an approver before it is denied', parseMs)
    .option(
      '--audit-dir <dir>',
      'the audit log, where every call is recorded before it runs (default: <dir>/audit)',
    )
    .option(
      '--audit-key <key>',
      'an argument key whose values are always redacted; repeat for several',
      collect,
      [],
    )
    .option(
      '--audit-keep <key>',
      'a key or dotted path kept as is (known secret formats are still redacted)',
      collect,
      [],
    )
    .option('--audit-drop <key>', 'a key or dotted path whose values never reach the audit log', collect, [])
    .option(
      '--audit-replicas <n>',
      'replicas of the audit stream when the node creates it (default: up to 3, as the cluster allows)',
      parseReplicas,
    )
    .option('--name <name>', "the node's name in trustmesh_nodes (default: the host name)")
    .option(
      '--lease <ms>',
      "lifetime of the node's lease; a dead node's sessions move after it (default 1500)",
      parseMs,
    )
    .option(
      '--detection-rules <file>',
      'behaviour monitor config (YAML: sensitive paths, canaries, rules); its sections replace the defaults',
    )
    .option('--passivate-after <ms>', 'idle time before a session is passivated (default 600000)', parseMs)
    .option(
      '--placement-replicas <n>',
      'replicas of trustmesh_nodes and trustmesh_placement when the node creates them (3 on a 3-server cluster)',
      parseReplicas,
    )
    .addHelpText(
      'after',
      '\nPrints one JSON ready line on stdout once it serves, logs on stderr, and stops cleanly on SIGTERM.\n' +
        'Policy comes from the KV bucket trustmesh_policy and is reloaded on every push (trustmesh policy push).\n' +
        'A call runs only once its audit record is durable; if the audit log cannot be written, calls are refused.\n' +
        'Without --approver-issuer and --approver-audience the node refuses every approval and denial.\n' +
        'It signs capabilities with its node certificate (--cert/--key) and trusts brokers whose certificates\n' +
        'chain to the mesh CA in --pki.\n' +
        'Example:\n  trustmesh node --nats nats://127.0.0.1:4222 --dir .trustmesh --policy policy/ --audit-drop content\n' +
        '  trustmesh audit tail --dir .trustmesh/audit --follow',
    )
    .action((options: NodeOptions) => withTelemetry('trustmesh-node', () => runNode(options)));
}

async function runNode(options: NodeOptions): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  // Before connecting: a node without its certificate could sign no capability.
  const { identity, anchors } = await loadIdentity(options, LeafKind.Node, LOCAL_NAME);
  const tlsFiles = tlsFilesOf(options);
  const tls = tlsFiles ? { tls: natsClientTlsFiles(tlsFiles) } : {};
  const approvers = approverOptions(options);
  const nc = await connect({
    servers: options.nats,
    name: `trustmesh-node-${process.pid}`,
    ...SERVICE_CONNECTION,
    ...(await credsOptions(options.creds)),
    ...tls,
  });
  // The leaf it connects with is the one it signs with: after each renewal, capabilities use the successor.
  const renewer = await renewOwnLeaf(options, log, () => identity.reload());
  // In operator mode the node revokes a suspended or killed session's NATS user itself.
  const authority = await localNatsAuthority(options.dir);
  let pusher: NatsConnection | undefined;
  try {
    if (authority) {
      pusher = await connect({
        servers: options.nats,
        name: `trustmesh-node-claims-${process.pid}`,
        authenticator: credsAuthenticator(new TextEncoder().encode(authority.issueClaimsPusher().creds)),
        ...tls,
      });
    }
    const claims = pusher;
    const rules = options.detectionRules;
    const monitor = rules ? { config: parseMonitorConfig(await readFile(rules, 'utf8'), rules) } : {};
    const node = await MeshNode.start({
      monitor,
      ...(authority && claims ? { revokeNatsUser: (key: string) => authority.revokeUser(key, claims) } : {}),
      nc,
      stateDir: options.dir,
      signer: identity,
      anchors,
      policyPaths: options.policy ?? [],
      prefix: options.prefix,
      log,
      ...(approvers ? { approvers } : {}),
      ...(options.approvalTimeout ? { session: { timeouts: { approvalMs: options.approvalTimeout } } } : {}),
      placement: {
        ...(options.name ? { name: options.name } : {}),
        ...(options.lease ? { leaseMs: options.lease } : {}),
        ...(options.passivateAfter ? { passivateAfterMs: options.passivateAfter } : {}),
        ...(options.placementReplicas ? { replicas: options.placementReplicas } : {}),
      },
      audit: {
        ...(options.auditDir ? { dir: options.auditDir } : {}),
        ...(options.auditReplicas ? { replicas: options.auditReplicas } : {}),
        redaction: { keys: options.auditKey, keep: options.auditKeep, drop: options.auditDrop },
      },
    });
    const ready = {
      ready: true,
      sessions: node.sessions().length,
      pid: process.pid,
      nodeId: node.nodeId,
      identity: node.identity.kid,
      policyVersion: node.policyVersion,
      auditDir: node.auditDir,
      policyRevision: node.policyRevision,
      baselineVersion: node.baselineVersion ?? null,
      approverIssuer: approvers?.issuer ?? null,
    };
    process.stdout.write(`${JSON.stringify(ready)}\n`);
    log(
      `serving ${ready.sessions} session(s) on ${options.nats} with policy ${node.policyVersion} (revision ${node.policyRevision})`,
    );
    log(
      approvers
        ? `approvers are verified with the identity provider ${approvers.issuer}`
        : 'approvals and denials are refused: no approver identity provider (--approver-issuer, --approver-audience)',
    );
    await Promise.race([untilSignal(), nc.closed()]);
    await node.close();
  } finally {
    renewer?.stop();
    if (pusher && !pusher.isClosed()) await pusher.close();
    if (!nc.isClosed()) await nc.drain();
  }
}
