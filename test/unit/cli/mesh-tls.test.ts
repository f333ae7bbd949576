import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  issueAgentTls,
  issueLocalMeshTls,
  localMeshTls,
  MeshTlsError,
  tlsFilesOf,
} from '../../../src/cli/mesh-tls.js';
import { parseCertificate } from '../../../src/pki/certs/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trustmesh-mesh-tls-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('local mesh TLS', () => {
  it('has nothing before up issues it; then each process has its own leaf, keys 0600', async () => {
    expect(await localMeshTls(dir, 'operator', 'local')).toBeUndefined();
    expect(await issueAgentTls(dir, 'sabc', Date.now() + 3_600_000)).toBeUndefined();
    const tls = await issueLocalMeshTls(dir, 'filesystem', 3_600_000);
    expect(await localMeshTls(dir, 'operator', 'local')).toEqual(tls.operator);
    expect(tls.broker.certFile).toMatch(/broker-filesystem\.crt$/);
    for (const files of [tls.server, tls.node, tls.broker, tls.operator])
      expect((await stat(files.keyFile)).mode & 0o777).toBe(0o600);
  });

  it("gives an agent a leaf that ends with its session, from the mesh's CA", async () => {
    await issueLocalMeshTls(dir, 'filesystem', 3_600_000);
    const expiresAt = Date.now() + 30 * 60_000;
    const agent = await issueAgentTls(dir, 'sabc', expiresAt);
    const cert = parseCertificate(agent!.chainPem, 'agent');
    expect(cert.subject).toBe('CN=sabc, OU=agent, O=trustmesh');
    expect(Math.abs(cert.notAfter.getTime() - expiresAt)).toBeLessThan(1_000);
    expect(cert.notAfter.getTime()).toBeLessThanOrEqual(expiresAt);
    expect(agent!.caPem).toContain('BEGIN CERTIFICATE');
  });
});

describe('--tls-* flags', () => {
  it('take all three files or none, and renewal only with them', () => {
    expect(tlsFilesOf({})).toBeUndefined();
    expect(tlsFilesOf({ tlsCert: 'c', tlsKey: 'k', tlsCa: 'ca', tlsRenewFrom: 'pki' })).toEqual({
      certFile: 'c',
      keyFile: 'k',
      caFile: 'ca',
    });
    expect(() => tlsFilesOf({ tlsCert: 'c' })).toThrow(MeshTlsError);
    expect(() => tlsFilesOf({ tlsRenewFrom: 'pki' })).toThrow(/needs --tls-cert/);
  });
});
