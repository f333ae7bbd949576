import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMeshCa, type MeshCa, PkiErrorCode } from '../../../../src/pki/ca/index.js';
import { x509 } from '../../../../src/pki/ca/x509.js';
import {
  certificateKeyId,
  issueLeafCertificate,
  parseCertificate,
  parseDuration,
  parseSan,
  verifyCertificateChain,
} from '../../../../src/pki/certs/index.js';
import { importSigningKey } from '../../../../src/transport/envelope/index.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const clock = () => T0;
let shared: Promise<MeshCa> | undefined;
const meshCa = () => {
  shared ??= createMeshCa({ clock });
  return shared;
};

describe('mesh CA', () => {
  it('makes a root (path length 1) and an intermediate (path length 0) that it signed', async () => {
    const ca = await meshCa();
    const rootBc = ca.root.cert.getExtension(x509.BasicConstraintsExtension);
    const intermediateBc = ca.intermediate.cert.getExtension(x509.BasicConstraintsExtension);
    expect([rootBc?.ca, rootBc?.pathLength, intermediateBc?.ca, intermediateBc?.pathLength]).toEqual([
      true,
      1,
      true,
      0,
    ]);
    expect(ca.intermediate.cert.issuer).toBe(ca.root.cert.subject);
    expect(await ca.intermediate.cert.verify({ publicKey: ca.root.cert, signatureOnly: true })).toBe(true);
    expect(ca.intermediate.cert.getExtension(x509.KeyUsagesExtension)?.usages).toBe(
      x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
    );
  });

  it('refuses an intermediate that would outlive its root', async () => {
    await expect(createMeshCa({ rootTtlMs: 1000, intermediateTtlMs: 2000 })).rejects.toMatchObject({
      code: PkiErrorCode.Options,
    });
  });
});

describe('issueLeafCertificate', () => {
  it('issues a 1 h leaf with digitalSignature, the EKUs of its kind, and its identity URI first', async () => {
    const ca = await meshCa();
    const leaf = await issueLeafCertificate(ca.intermediate, {
      kind: 'nats-server',
      name: 'nats-1',
      sans: ['localhost', 'ip:127.0.0.1', 'uri:spiffe://mesh/nats-1'],
      clock,
    });
    const cert = parseCertificate(leaf.certPem, 'leaf');
    expect(Date.parse(leaf.notAfter)).toBe(T0 + 3_600_000);
    expect(cert.getExtension(x509.KeyUsagesExtension)?.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    expect(cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([
      x509.ExtendedKeyUsage.serverAuth,
      x509.ExtendedKeyUsage.clientAuth,
    ]);
    expect(cert.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(false);
    expect(leaf.sans).toEqual([
      'url:urn:trustmesh:nats-server:nats-1',
      'dns:localhost',
      'ip:127.0.0.1',
      'url:spiffe://mesh/nats-1',
    ]);
    expect(leaf.chainPem).toContain(ca.intermediate.cert.toString('pem'));
    expect(leaf.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(cert.publicKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
  });

  it.each(['node', 'broker', 'agent', 'operator'] as const)(
    'gives a %s leaf digitalSignature and clientAuth only, with an Ed25519 key',
    async (kind) => {
      const ca = await meshCa();
      const leaf = await issueLeafCertificate(ca.intermediate, {
        kind,
        name: 'github',
        algorithm: 'ed25519',
      });
      const cert = parseCertificate(leaf.certPem, kind);
      expect(cert.getExtension(x509.KeyUsagesExtension)?.usages).toBe(x509.KeyUsageFlags.digitalSignature);
      expect(cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([
        x509.ExtendedKeyUsage.clientAuth,
      ]);
      expect(cert.publicKey.algorithm.name).toBe('Ed25519');
      expect(leaf.sans[0]).toBe(`url:urn:trustmesh:${kind}:github`);
    },
  );

  it('uses a fresh random 128-bit positive serial each time', async () => {
    const ca = await meshCa();
    const serials = await Promise.all(
      Array.from({ length: 8 }, () => issueLeafCertificate(ca.intermediate, { kind: 'node', name: 'n' })),
    );
    const unique = new Set(serials.map((s) => s.serial));
    expect(unique.size).toBe(8);
    for (const serial of unique) expect(serial).toMatch(/^[4-7][0-9a-f]{31}$/);
  });

  it('refuses bad kinds, names, lifetimes and SANs with ERR_PKI_OPTIONS', async () => {
    const ca = await meshCa();
    for (const options of [
      { kind: 'laptop', name: 'n' },
      { kind: 'node', name: 'a b' },
      { kind: 'node', name: 'n', ttlMs: 1000 },
      { kind: 'node', name: 'n', sans: ['ip:999.1.1.1'] },
      { kind: 'node', name: 'n', ttlMs: 20 * 365 * 86_400_000 },
    ] as const) {
      await expect(issueLeafCertificate(ca.intermediate, options as never)).rejects.toMatchObject({
        code: PkiErrorCode.Options,
      });
    }
  });
});

describe('certificateKeyId', () => {
  it.each(['p256', 'ed25519'] as const)('is the envelope key id of the leaf key (%s)', async (algorithm) => {
    const ca = await meshCa();
    const leaf = await issueLeafCertificate(ca.intermediate, { kind: 'broker', name: 'b', algorithm });
    const signingKey = importSigningKey(createPrivateKey(leaf.keyPem).export({ format: 'jwk' }));
    expect(await certificateKeyId(parseCertificate(leaf.certPem, 'leaf'))).toBe(signingKey.kid);
  });
});

describe('verifyCertificateChain', () => {
  it('accepts a mesh leaf, and names expired, revoked and foreign certificates by code', async () => {
    const ca = await meshCa();
    const leaf = parseCertificate(
      (await issueLeafCertificate(ca.intermediate, { kind: 'node', name: 'n', clock })).certPem,
      'leaf',
    );
    const anchors = { root: ca.root.cert, intermediates: [ca.intermediate.cert] };
    expect((await verifyCertificateChain(leaf, anchors, { at: T0 })).serialNumber).toBe(
      ca.intermediate.cert.serialNumber,
    );
    await expect(verifyCertificateChain(leaf, anchors, { at: T0 + 2 * 3_600_000 })).rejects.toMatchObject({
      code: PkiErrorCode.Expired,
    });
    const serial = leaf.serialNumber.toLowerCase();
    await expect(
      verifyCertificateChain(leaf, anchors, { at: T0, isRevoked: (s) => s === serial }),
    ).rejects.toMatchObject({ code: PkiErrorCode.Revoked });
    const stranger = await createMeshCa({ name: 'stranger' });
    const foreign = parseCertificate(
      (await issueLeafCertificate(stranger.intermediate, { kind: 'node', name: 'n' })).certPem,
      'foreign',
    );
    await expect(verifyCertificateChain(foreign, anchors, { at: Date.now() })).rejects.toMatchObject({
      code: PkiErrorCode.Untrusted,
    });
  });
});

describe('parsing', () => {
  it('reads durations and SANs, and rejects what it cannot read', () => {
    expect([parseDuration('90s'), parseDuration('30m'), parseDuration('1h'), parseDuration('7d')]).toEqual([
      90_000, 1_800_000, 3_600_000, 604_800_000,
    ]);
    for (const bad of ['', '1', '-1h', '1y', 'h']) expect(() => parseDuration(bad)).toThrow(/e.g. 90s/);
    expect(parseSan('10.0.0.5')).toEqual({ type: 'ip', value: '10.0.0.5' });
    expect(parseSan('::1')).toEqual({ type: 'ip', value: '::1' });
    expect(parseSan('urn:trustmesh:node:n1')).toEqual({ type: 'url', value: 'urn:trustmesh:node:n1' });
    expect(parseSan('dns:nats.mesh.internal')).toEqual({ type: 'dns', value: 'nats.mesh.internal' });
    expect(() => parseSan('dns:bad_host!')).toThrow(/not a valid DNS/);
  });
});
