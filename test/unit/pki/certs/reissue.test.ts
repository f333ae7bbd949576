import { describe, expect, it } from 'vitest';
import { createMeshCa, PkiErrorCode } from '../../../../src/pki/ca/index.js';
import { issueLeafCertificate, parseCertificate, reissueLeaf } from '../../../../src/pki/certs/index.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');

describe('reissueLeaf', () => {
  it('issues the same identity, SANs, lifetime and key algorithm with a fresh key and serial', async () => {
    const ca = await createMeshCa({ clock: () => T0, algorithm: 'ed25519' });
    const first = await issueLeafCertificate(ca.intermediate, {
      kind: 'nats-server',
      name: 'local',
      ttlMs: 120_000,
      sans: ['dns:localhost', 'ip:127.0.0.1', 'uri:spiffe://mesh/nats'],
      algorithm: 'ed25519',
      clock: () => T0,
    });
    const later = T0 + 60_000;
    const next = await reissueLeaf(ca.intermediate, parseCertificate(first.certPem, 'first'), () => later);
    expect(next).toMatchObject({ kind: 'nats-server', name: 'local', sans: first.sans });
    expect(Date.parse(next.notAfter)).toBe(later + 120_000);
    expect(next.serial).not.toBe(first.serial);
    expect(next.keyPem).not.toBe(first.keyPem);
    expect(parseCertificate(next.certPem, 'next').publicKey.algorithm.name).toBe('Ed25519');
  });

  it('refuses a certificate that names no trustmesh identity', async () => {
    const ca = await createMeshCa({ clock: () => T0 });
    await expect(reissueLeaf(ca.intermediate, ca.root.cert)).rejects.toMatchObject({
      code: PkiErrorCode.Malformed,
      message: expect.stringContaining('urn:trustmesh:<kind>:<name>'),
    });
  });
});
