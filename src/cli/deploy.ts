import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_DEPLOY_PORTS, type DeployHost, renderDeployment } from '../deploy/index.js';
import { initPki, pkiLayout } from '../pki/index.js';
import { DEFAULT_PREFIX } from '../transport/index.js';
import { parseDuration } from './duration.js';
import { createOutput } from './output.js';
import { parsePort } from './parse.js';
import { DEFAULT_STATE_DIR } from './state-dir.js';

interface RenderFlags {
  out: string;
  hosts?: string;
  nodes: number;
  pki: string;
  auth?: string;
  root?: string;
  broker?: string[];
  clientPort: number;
  clusterPort: number;
  monitorPort: number;
  ttl: number;
  prefix: string;
  otlpEndpoint?: string;
  json?: boolean;
}

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 32)
    throw new InvalidArgumentError('expected a node count from 1 to 32.');
  return n;
}

/** Servers sharing a host get ports shifted by how many came before them on it. */
export function deployHosts(
  flags: Pick<RenderFlags, 'hosts' | 'nodes' | 'clientPort' | 'clusterPort' | 'monitorPort'>,
): DeployHost[] {
  const names = flags.hosts
    ? flags.hosts.split(',').map((h) => h.trim())
    : Array(flags.nodes).fill('127.0.0.1');
  const seen = new Map<string, number>();
  return names.map((host) => {
    const shift = seen.get(host) ?? 0;
    seen.set(host, shift + 1);
    return {
      host,
      clientPort: flags.clientPort + shift,
      clusterPort: flags.clusterPort + shift,
      monitorPort: flags.monitorPort + shift,
    };
  });
}

/** `trustmesh deploy render`: configs for a nats-server cluster and its mesh nodes, from the mesh PKI. */
export function registerDeployCommands(program: Command): void {
  const deploy = program
    .command('deploy')
    .description(
      'Render what a multi-host mesh runs: nats-server cluster configs, node env files, creds and certificates.',
    );
  deploy
    .command('render')
    .description(
      'Write nats-server configs (JetStream, mTLS routes and clients, operator mode) and node/broker env files.',
    )
    .requiredOption('--out <dir>', 'where to write the rendered files (e.g. deploy/generated)')
    .option('--hosts <list>', 'comma-separated host addresses or DNS names, one per nats-server + node pair')
    .option('--nodes <n>', 'how many pairs on 127.0.0.1 when --hosts is not given', count, 3)
    .option(
      '--pki <dir>',
      'the mesh PKI (created with an Ed25519 CA when missing)',
      join(DEFAULT_STATE_DIR, 'pki'),
    )
    .option(
      '--auth <dir>',
      'the NATS operator authority (created when missing) (default: <out>/operator/nats-auth)',
    )
    .option('--root <path>', 'absolute path where <out> lives on the hosts (default: <out>)')
    .option('--broker <server...>', 'MCP servers that get a broker identity')
    .option('--client-port <port>', 'client port', parsePort, DEFAULT_DEPLOY_PORTS.client)
    .option('--cluster-port <port>', 'route port', parsePort, DEFAULT_DEPLOY_PORTS.cluster)
    .option('--monitor-port <port>', 'HTTP monitoring port', parsePort, DEFAULT_DEPLOY_PORTS.monitor)
    .option(
      '--ttl <duration>',
      'lifetime of every certificate and NATS user; render again before it ends',
      parseDuration,
      86_400_000,
    )
    .option('--prefix <prefix>', 'subject prefix of the mesh', DEFAULT_PREFIX)
    .option(
      '--otlp-endpoint <url>',
      'OTLP/HTTP collector the processes export to (deploy/compose), e.g. http://10.0.0.9:4318',
    )
    .option('--json', 'print what was written as one JSON object')
    .addHelpText(
      'after',
      '\nExample:\n  trustmesh deploy render --out deploy/generated --hosts 10.0.0.5,10.0.0.6,10.0.0.7 --root /var/lib/trustmesh --broker filesystem\n' +
        'Copy nats-<i>/, node-<i>/, broker-*/ and ca.crt to the hosts; keep operator/ (creds, mesh keys, authority) on the admin host.\n' +
        'See deploy/OPERATIONS.md.',
    )
    .action(async (flags: RenderFlags) => {
      const out = createOutput(flags.json === true);
      const outDir = resolve(flags.out);
      if (!(await exists(pkiLayout(flags.pki).rootCert))) {
        await initPki(flags.pki, { algorithm: 'ed25519' });
        out.progress(`created the mesh CA in ${resolve(flags.pki)}; keep its root.key offline.`);
      }
      const rendered = await renderDeployment({
        pkiDir: flags.pki,
        authDir: flags.auth ?? join(outDir, 'operator', 'nats-auth'),
        out: outDir,
        ...(flags.root ? { root: flags.root } : {}),
        hosts: deployHosts(flags),
        brokers: flags.broker ?? [],
        prefix: flags.prefix,
        ttlMs: flags.ttl,
        ...(flags.otlpEndpoint ? { otlpEndpoint: flags.otlpEndpoint } : {}),
      });
      const until = new Date(rendered.expiresAt).toISOString();
      out.result(
        [
          `Rendered ${rendered.servers.length} nats-server + mesh node pair(s) into ${rendered.out}:`,
          ...rendered.servers.map((s) => `  ${s.name} ${s.url} (monitor ${s.monitorUrl}) with ${s.node}`),
          `Certificates and NATS users end ${until}: render again (same --out) and reload before then.`,
          `Start a server with: nats-server -c ${rendered.servers[0]?.config}`,
          `Operator commands: trustmesh policy push policy/ --dir ${rendered.operatorDir} --replicas ${Math.min(3, rendered.servers.length)}`,
        ].join('\n'),
        { ok: true, ...rendered },
      );
    });
}

function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
