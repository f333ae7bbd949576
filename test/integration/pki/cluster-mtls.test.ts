import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  findFreePorts,
  NatsClusterNotReadyError,
  type NatsServerProcess,
  startNatsServer,
  waitForClusterReady,
} from '../../../src/natsd/index.js';
import { createMeshCa, type MeshCa } from '../../../src/pki/ca/index.js';
import { issueLeafCertificate } from '../../../src/pki/certs/index.js';
import { writeFileAtomically } from '../../../src/pki/key-store.js';
import { renderNatsClusterBlock } from '../../../src/pki/tls/index.js';
import { connectTls, tlsFixture } from './tls-fixture.js';

/** Starts one routed node whose route port requires a certificate from `ca` (and presents its own). */
async function startNode(
  root: string,
  name: string,
  ca: MeshCa,
  routePort: number,
  peers: number[],
  clientTls: string,
) {
  const dir = join(root, name);
  const leaf = await issueLeafCertificate(ca.intermediate, {
    kind: 'nats-server',
    name,
    sans: ['localhost', '127.0.0.1'],
  });
  const tls = {
    certFile: join(dir, 'route.crt'),
    keyFile: join(dir, 'route.key'),
    caFile: join(dir, 'ca.crt'),
  };
  await writeFileAtomically(tls.keyFile, leaf.keyPem, true);
  await writeFile(tls.certFile, leaf.chainPem);
  await writeFile(tls.caFile, ca.root.cert.toString('pem'));
  const cluster = renderNatsClusterBlock({
    name: 'tm-mtls',
    listen: `127.0.0.1:${routePort}`,
    routes: peers.map((port) => `nats-route://127.0.0.1:${port}`),
    tls,
  });
  const server = await startNatsServer({
    dir,
    serverName: name,
    jetstream: false,
    extraConfig: `${clientTls}\n${cluster}`,
  });
  onTestFinished(() => server.stop());
  return server;
}

describe('nats-server cluster routes over mutual TLS', () => {
  it('routes nodes of the mesh CA and refuses a node whose certificate comes from another CA', async () => {
    const root = await mkdtemp(join(tmpdir(), 'trustmesh-pki-cluster-'));
    onTestFinished(() => rm(root, { recursive: true, force: true }));
    const fixture = await tlsFixture();
    const [p1, p2, p3] = (await findFreePorts(3)) as [number, number, number];
    const nodes: NatsServerProcess[] = [
      await startNode(root, 'n1', fixture.ca, p1, [p2], fixture.extraConfig),
      await startNode(root, 'n2', fixture.ca, p2, [p1], fixture.extraConfig),
    ];
    await waitForClusterReady(nodes, { jetstream: false });

    const [a, b] = nodes as [NatsServerProcess, NatsServerProcess];
    const subscriber = await connectTls(a.url, fixture, await fixture.clientCert('node-a'));
    const publisher = await connectTls(b.url, fixture, await fixture.clientCert('node-b'));
    subscriber.subscribe('tm.echo', { callback: (_, msg) => void msg.respond(msg.data) });
    await subscriber.flush();
    expect(
      (await publisher.request('tm.echo', 'across the routed cluster', { timeout: 5_000 })).string(),
    ).toBe('across the routed cluster');

    const stranger = await createMeshCa({ name: 'stranger' });
    const outsider = await startNode(root, 'n3', stranger, p3, [p1], fixture.extraConfig);
    await expect(
      waitForClusterReady([a, outsider], { jetstream: false, timeoutMs: 3_000 }),
    ).rejects.toBeInstanceOf(NatsClusterNotReadyError);
  });
});
