import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, credsAuthenticator } from '@nats-io/transport-node';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MeshNode } from '../../../src/actors/node/index.js';
import { loadIdentity } from '../../../src/cli/mesh-identity.js';
import { renderDeployment } from '../../../src/deploy/index.js';
import { findFreePorts, waitForClusterReady } from '../../../src/natsd/index.js';
import { initPki } from '../../../src/pki/index.js';
import { natsClientTls } from '../../../src/pki/tls/index.js';
import { openPolicyBucket, pushPolicy } from '../../../src/policy/distribution/index.js';

const NATS_SERVER = process.env.TRUSTMESH_NATS_SERVER ?? 'nats-server';
const POLICY = 'purposes:\n  review:\n    tools:\n      github.get_pull_request: { allowed: true }\n';

/** Runs `nats-server -c <config>` as rendered; killed when the test ends. */
function runRendered(config: string): void {
  const child = spawn(NATS_SERVER, ['-c', config], { stdio: 'ignore' });
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  );
}

/** Reads an env file as written by the renderer (KEY="json string"). */
async function readEnv(path: string): Promise<Record<string, string>> {
  const lines = (await readFile(path, 'utf8')).split('\n').filter((l) => /^[A-Z_]+=/.test(l));
  return Object.fromEntries(
    lines.map((l) => [l.slice(0, l.indexOf('=')), JSON.parse(l.slice(l.indexOf('=') + 1))]),
  );
}

describe('trustmesh deploy render', () => {
  it('renders a 3-node cluster that forms over mutual TLS in operator mode, and a node joins it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trustmesh-deploy-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    await initPki(join(dir, 'pki'), { algorithm: 'ed25519' });
    const ports = await findFreePorts(9);
    const port = (i: number) => ports[i]!;
    const rendered = await renderDeployment({
      pkiDir: join(dir, 'pki'),
      authDir: join(dir, 'nats-auth'),
      out: join(dir, 'out'),
      hosts: [0, 1, 2].map((i) => ({
        host: '127.0.0.1',
        clientPort: port(3 * i),
        clusterPort: port(3 * i + 1),
        monitorPort: port(3 * i + 2),
      })),
    });
    expect(rendered.servers.map((s) => s.name)).toEqual(['nats-1', 'nats-2', 'nats-3']);
    const config = await readFile(rendered.servers[0]!.config, 'utf8');
    expect(config).toMatch(/tls \{[^}]*verify: true/);
    expect(config).toContain('operator:');
    expect((await stat(join(dir, 'out', 'nats-1', 'server.key'))).mode & 0o077).toBe(0);

    for (const server of rendered.servers) runRendered(server.config);
    const members = rendered.servers.map((s) => ({ monitorUrl: s.monitorUrl, serverName: s.name }));
    await waitForClusterReady(members, { timeoutMs: 30_000 });
    const varz = (await (await fetch(`${rendered.servers[1]!.monitorUrl}/varz`)).json()) as {
      cluster: { tls_required?: boolean; tls_verify?: boolean };
      tls_verify?: boolean;
    };
    expect(varz.cluster).toMatchObject({ tls_required: true, tls_verify: true });
    expect(varz.tls_verify).toBe(true);

    // node-1 connects as its env file says: its creds and its client certificate.
    const env = await readEnv(join(dir, 'out', 'node-1', 'node.env'));
    const tls = natsClientTls({
      caPem: await readFile(env.TRUSTMESH_TLS_CA!, 'utf8'),
      chainPem: await readFile(env.TRUSTMESH_TLS_CERT!, 'utf8'),
      keyPem: await readFile(env.TRUSTMESH_TLS_KEY!, 'utf8'),
    });
    const creds = new TextEncoder().encode(await readFile(env.TRUSTMESH_NATS_CREDS!, 'utf8'));
    const refused = await connect({ servers: env.TRUSTMESH_NATS_URL!, tls, reconnect: false }).catch(
      (e) => e,
    );
    expect(refused).toBeInstanceOf(Error);
    const nc = await connect({
      servers: env.TRUSTMESH_NATS_URL!,
      tls,
      authenticator: credsAuthenticator(creds),
    });
    onTestFinished(() => nc.close());
    await pushPolicy(await openPolicyBucket(nc, { replicas: 3 }), [{ name: 'policy.yaml', text: POLICY }], {
      pushedBy: 'test',
    });
    // It signs capabilities with the client leaf it connected with, checked against the mesh root.
    const { identity, anchors } = await loadIdentity(
      {
        dir: env.TRUSTMESH_STATE_DIR!,
        tlsCert: env.TRUSTMESH_TLS_CERT!,
        tlsKey: env.TRUSTMESH_TLS_KEY!,
        tlsCa: env.TRUSTMESH_TLS_CA!,
      },
      'node',
      'node-1',
    );
    const node = await MeshNode.start({
      nc,
      stateDir: env.TRUSTMESH_STATE_DIR!,
      signer: identity,
      anchors,
      prefix: env.TRUSTMESH_PREFIX!,
    });
    onTestFinished(() => node.close());
    expect(node.policyVersion).toMatch(/^sha256:/);
  }, 90_000);
});
