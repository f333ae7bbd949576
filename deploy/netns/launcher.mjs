#!/usr/bin/env node
// Starts a 3-host mesh on this machine: each nats-server + mesh node pair in its own network
// namespace (veth pairs on one bridge), so they reach each other only over the network, as separate
// hosts would. Configs come from `trustmesh deploy render`. Ctrl-C (or SIGTERM) tears it all down.
// Needs root and iproute2. Usage: sudo deploy/netns/launcher.mjs [--nodes 3] [--policy <file|dir>] [--work <dir>]
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NATS_SERVER = process.env.TRUSTMESH_NATS_SERVER ?? 'nats-server';
const DEMO_POLICY = `catalogue:
  filesystem:
    root: /srv/workspace
    tools:
      read_file: { effect: read, resource: "{path}", kind: path }
purposes:
  code-review:
    tools:
      filesystem.read_file: { allowed: true, scope: "src/**" }
`;

const { values: flags } = parseArgs({
  options: {
    nodes: { type: 'string', default: '3' },
    policy: { type: 'string' },
    work: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  process.stdout.write(
    'Usage: sudo deploy/netns/launcher.mjs [--nodes 3] [--policy <file|dir>] [--work <dir>]\n' +
      'Prints one JSON ready line on stdout once every nats-server is routed and every node serves;\n' +
      'logs go to <work>/*.log. Ctrl-C or SIGTERM stops everything and removes the namespaces.\n',
  );
  process.exit(0);
}

function fail(message) {
  process.stderr.write(`launcher: ${message}\n`);
  process.exit(2);
}

const count = Number(flags.nodes);
if (!Number.isInteger(count) || count < 1 || count > 9) fail('--nodes must be 1 to 9.');
if (process.getuid?.() !== 0)
  fail(
    'network namespaces need root: run it with sudo (or as root in a VM or container with CAP_NET_ADMIN).',
  );
if (spawnSync('ip', ['netns', 'list']).status !== 0)
  fail("'ip netns' is not available: install iproute2 (apt-get install -y iproute2) and run it on Linux.");
if (spawnSync(NATS_SERVER, ['--version']).status !== 0)
  fail(
    `cannot run ${NATS_SERVER}: install it (apt-get install -y nats-server) or set TRUSTMESH_NATS_SERVER.`,
  );

const id = randomBytes(2).toString('hex');
const subnet = `10.77.${(Number.parseInt(id, 16) % 250) + 1}`;
const bridge = `tmbr${id}`;
const hosts = Array.from({ length: count }, (_, i) => ({
  ns: `tm-${id}-${i + 1}`,
  veth: `tmv${id}${i + 1}`,
  address: `${subnet}.${i + 1}`,
}));
const work = flags.work ? resolve(flags.work) : await mkdtemp(join(tmpdir(), 'trustmesh-netns-'));
const children = [];
let tearingDown;

/** The trustmesh CLI: the build when there is one, else the sources through tsx. */
function trustmesh(args) {
  const built = join(REPO, 'dist', 'src', 'cli', 'run.js');
  return existsSync(built)
    ? [process.execPath, built, ...args]
    : [process.execPath, '--import', 'tsx', join(REPO, 'src', 'cli', 'run.ts'), ...args];
}

function ip(...args) {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr.trim()}`);
}

function teardown() {
  tearingDown ??= (async () => {
    await Promise.all(children.map(stop));
    for (const h of hosts) spawnSync('ip', ['netns', 'del', h.ns]);
    spawnSync('ip', ['link', 'del', bridge]);
    if (!flags.work) await rm(work, { recursive: true, force: true });
  })();
  return tearingDown;
}

function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      done();
    });
    child.kill('SIGTERM');
  });
}

/** Runs `command` inside a namespace; its output goes to <work>/<log>. */
function inNamespace(ns, command, log) {
  const child = spawn('ip', ['netns', 'exec', ns, ...command], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.pipe(createWriteStream(join(work, log), { flags: 'a' }));
  children.push(child);
  return child;
}

/** Runs the CLI to completion in the root namespace and returns its JSON result. */
function cli(args) {
  const [cmd, ...rest] = trustmesh([...args, '--json']);
  const result = spawnSync(cmd, rest, { cwd: REPO, encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`trustmesh ${args[0]} ${args[1]} failed: ${result.stdout}${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop());
}

async function waitFor(what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`${what} within ${timeoutMs / 1000} s; see the logs in ${work}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function readyLine(child, timeoutMs) {
  return new Promise((resolveLine, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ready line within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolveLine(JSON.parse(line));
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before it was ready`)));
  });
}

async function main() {
  ip('link', 'add', bridge, 'type', 'bridge');
  ip('addr', 'add', `${subnet}.254/24`, 'dev', bridge);
  ip('link', 'set', bridge, 'up');
  for (const h of hosts) {
    ip('netns', 'add', h.ns);
    ip('link', 'add', h.veth, 'type', 'veth', 'peer', 'name', `${h.veth}p`);
    ip('link', 'set', `${h.veth}p`, 'netns', h.ns);
    ip('link', 'set', h.veth, 'master', bridge);
    ip('link', 'set', h.veth, 'up');
    ip('netns', 'exec', h.ns, 'ip', 'link', 'set', 'lo', 'up');
    ip('netns', 'exec', h.ns, 'ip', 'link', 'set', `${h.veth}p`, 'name', 'eth0');
    ip('netns', 'exec', h.ns, 'ip', 'addr', 'add', `${h.address}/24`, 'dev', 'eth0');
    ip('netns', 'exec', h.ns, 'ip', 'link', 'set', 'eth0', 'up');
  }
  const gen = join(work, 'gen');
  const rendered = cli([
    'deploy',
    'render',
    '--out',
    gen,
    '--pki',
    join(work, 'pki'),
    '--hosts',
    hosts.map((h) => h.address).join(','),
  ]);
  for (const [i, server] of rendered.servers.entries()) {
    inNamespace(hosts[i].ns, [NATS_SERVER, '-c', server.config], `${server.name}.log`);
  }
  await waitFor(
    'the nats-server cluster did not form',
    async () => {
      for (const server of rendered.servers) {
        const routez = await (await fetch(`${server.monitorUrl}/routez`)).json();
        const jsz = await (await fetch(`${server.monitorUrl}/jsz`)).json();
        if (routez.num_routes < count - 1 || !jsz.meta_cluster?.leader) return false;
      }
      return true;
    },
    60_000,
  );
  const policy = flags.policy ? resolve(flags.policy) : join(work, 'policy.yaml');
  if (!flags.policy) await writeFile(policy, DEMO_POLICY);
  const operatorDir = join(gen, 'operator');
  const pushed = cli([
    'policy',
    'push',
    policy,
    '--dir',
    operatorDir,
    '--replicas',
    String(Math.min(3, count)),
    '--operator',
    'launcher',
  ]);
  const startNode = async (server, i) => {
    const dir = join(gen, server.node);
    const replicas = count >= 3 ? '3' : '1';
    const args = [
      'node',
      '--nats',
      server.url,
      '--dir',
      dir,
      '--creds',
      join(dir, `${server.node}.creds`),
      '--name',
      server.node,
    ];
    args.push('--placement-replicas', replicas, '--audit-replicas', replicas);
    args.push(
      '--tls-cert',
      join(dir, 'client.crt'),
      '--tls-key',
      join(dir, 'client.key'),
      '--tls-ca',
      join(gen, 'ca.crt'),
    );
    const child = inNamespace(hosts[i].ns, trustmesh(args), `${server.node}.log`);
    const ready = await readyLine(child, 120_000);
    return {
      name: server.node,
      namespace: hosts[i].ns,
      pid: ready.pid,
      policyVersion: ready.policyVersion,
    };
  };
  // The first node creates the replicated placement buckets and audit stream; the others bind to them.
  const nodes = [await startNode(rendered.servers[0], 0)];
  nodes.push(...(await Promise.all(rendered.servers.slice(1).map((server, i) => startNode(server, i + 1)))));
  const servers = rendered.servers.map((s, i) => ({
    name: s.name,
    namespace: hosts[i].ns,
    url: s.url,
    monitorUrl: s.monitorUrl,
  }));
  process.stdout.write(
    `${JSON.stringify({ ready: true, work, bridge, servers, nodes, policyVersion: pushed.version, operatorDir })}\n`,
  );
  process.stderr.write(
    `launcher: ${count} hosts up on ${subnet}.0/24 (bridge ${bridge}); operator commands: trustmesh sessions list --dir ${operatorDir}\n` +
      `launcher: logs in ${work}; Ctrl-C stops everything.\n`,
  );
  const exited = children.map((child) => new Promise((r) => child.once('exit', () => r('a process exited'))));
  const signalled = ['SIGINT', 'SIGTERM'].map(
    (signal) => new Promise((r) => process.once(signal, () => r(signal))),
  );
  const why = await Promise.race([...exited, ...signalled]);
  process.stderr.write(`launcher: stopping (${why})…\n`);
  return why.startsWith('SIG') ? 0 : 1;
}

let code;
try {
  code = await main();
} catch (err) {
  process.stderr.write(`launcher: ${err.message}\n`);
  code = 1;
}
await teardown();
process.exit(code);
