import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { onTestFinished } from 'vitest';
import type { KeyAlgorithm } from '../../../src/pki/ca/index.js';
import { createMeshCa, type MeshCa } from '../../../src/pki/ca/index.js';
import { type IssuedCertificate, issueLeafCertificate } from '../../../src/pki/certs/index.js';
import { writeFileAtomically } from '../../../src/pki/key-store.js';
import { type NatsTlsFiles, natsClientTls, renderNatsTlsBlock } from '../../../src/pki/tls/index.js';

/** A mesh CA, a nats-server leaf written to disk, and the TLS config text that uses them. */
export interface TlsFixture {
  ca: MeshCa;
  files: NatsTlsFiles;
  server: IssuedCertificate;
  extraConfig: string;
  clientCert(
    name: string,
    options?: { algorithm?: KeyAlgorithm; clock?: () => number },
  ): Promise<IssuedCertificate>;
}

export async function tlsFixture(algorithm: KeyAlgorithm = 'p256'): Promise<TlsFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'trustmesh-pki-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const ca = await createMeshCa({ algorithm });
  const server = await issueLeafCertificate(ca.intermediate, {
    kind: 'nats-server',
    name: 'nats-1',
    sans: ['dns:localhost', 'ip:127.0.0.1'],
    algorithm,
  });
  const files = {
    certFile: join(dir, 'server.crt'),
    keyFile: join(dir, 'server.key'),
    caFile: join(dir, 'ca.crt'),
  };
  await writeFileAtomically(files.certFile, server.chainPem, false);
  await writeFileAtomically(files.keyFile, server.keyPem, true);
  await writeFile(files.caFile, ca.root.cert.toString('pem'));
  return {
    ca,
    files,
    server,
    extraConfig: renderNatsTlsBlock(files),
    clientCert: (name, options = {}) =>
      issueLeafCertificate(ca.intermediate, { kind: 'node', name, algorithm, ...options }),
  };
}

/** Connects over mutual TLS with `cert`, trusting `fixture`'s root; no reconnects, so refusals surface. */
export async function connectTls(
  url: string,
  fixture: TlsFixture,
  cert: Pick<IssuedCertificate, 'chainPem' | 'keyPem'> | undefined,
): Promise<NatsConnection> {
  const caPem = fixture.ca.root.cert.toString('pem');
  const tls = cert ? natsClientTls({ caPem, chainPem: cert.chainPem, keyPem: cert.keyPem }) : { ca: caPem };
  const nc = await connect({ servers: url, tls, reconnect: false, timeout: 3_000 });
  onTestFinished(() => nc.close());
  return nc;
}
