import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { issueLeafCertificate, KeyAlgorithm } from '../../../../src/pki/index.js';
import {
  decodeSignedFrame,
  loadMeshIdentity,
  meshIdentity,
  ReloadableIdentity,
  type SignedFrame,
  SignedPurpose,
  SignerError,
  SignerErrorCode,
  sealSigned,
} from '../../../../src/pki/signer/index.js';
import { createTestPki } from '../../../support/mesh-pki.js';

const PKI = await createTestPki();
const NODE = await PKI.identity('node', 'node-1');
const HOUR = 3_600_000;

function frame(bytes: Uint8Array): SignedFrame {
  const decoded = decodeSignedFrame(bytes);
  if (!decoded) throw new Error('not a signed frame');
  return decoded;
}

async function codeOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (err) {
    expect(err).toBeInstanceOf(SignerError);
    return (err as SignerError).code;
  }
  return 'accepted';
}

const signed = (payload = new Uint8Array([1, 2, 3])) =>
  frame(sealSigned(NODE, SignedPurpose.Capability, payload));

describe('MeshTrust', () => {
  it('accepts a message signed by a certificate of the mesh CA, and names its signer', async () => {
    await expect(PKI.trust().verify(signed(), SignedPurpose.Capability, { kind: 'node' })).resolves.toEqual({
      kind: 'node',
      name: 'node-1',
    });
  });

  it('refuses a certificate of another CA as untrusted', async () => {
    const foreign = await (await createTestPki()).identity('node', 'node-1');
    const bytes = frame(sealSigned(foreign, SignedPurpose.Capability, new Uint8Array([1])));
    expect(await codeOf(() => PKI.trust().verify(bytes, SignedPurpose.Capability, { kind: 'node' }))).toBe(
      SignerErrorCode.Untrusted,
    );
  });

  it('refuses a certificate that does not match the fingerprint it is sent under', async () => {
    const other = await PKI.identity('node', 'node-2');
    const swapped = { ...signed(), certificate: other.certificate };
    expect(await codeOf(() => PKI.trust().verify(swapped, SignedPurpose.Capability, { kind: 'node' }))).toBe(
      SignerErrorCode.Untrusted,
    );
  });

  it('refuses an expired certificate, also one verified while it was valid', async () => {
    let now = Date.now();
    const trust = PKI.trust({ clock: () => now });
    expect(await codeOf(() => trust.verify(signed(), SignedPurpose.Capability, { kind: 'node' }))).toBe(
      'accepted',
    );
    now += 2 * HOUR;
    expect(await codeOf(() => trust.verify(signed(), SignedPurpose.Capability, { kind: 'node' }))).toBe(
      SignerErrorCode.Expired,
    );
    const stale = await PKI.identity('node', 'old', { clock: () => Date.now() - 3 * HOUR });
    const bytes = frame(sealSigned(stale, SignedPurpose.Capability, new Uint8Array([1])));
    expect(await codeOf(() => PKI.trust().verify(bytes, SignedPurpose.Capability, { kind: 'node' }))).toBe(
      SignerErrorCode.Expired,
    );
  });

  it('refuses a certificate revoked after it was cached, from the next message on', async () => {
    const revoked = new Set<string>();
    const trust = PKI.trust({ revocations: { isRevoked: (id) => revoked.has(id) } });
    expect(await codeOf(() => trust.verify(signed(), SignedPurpose.Capability, { kind: 'node' }))).toBe(
      'accepted',
    );
    revoked.add(NODE.serial);
    expect(await codeOf(() => trust.verify(signed(), SignedPurpose.Capability, { kind: 'node' }))).toBe(
      SignerErrorCode.Revoked,
    );
  });

  it('refuses a certificate of the wrong kind or name', async () => {
    const trust = PKI.trust();
    expect(await codeOf(() => trust.verify(signed(), SignedPurpose.Capability, { kind: 'broker' }))).toBe(
      SignerErrorCode.WrongKind,
    );
    const broker = await PKI.identity('broker', 'github');
    const answer = frame(sealSigned(broker, SignedPurpose.BrokerResponse, new Uint8Array([1])));
    const asOther = { kind: 'broker', name: 'filesystem' } as const;
    expect(await codeOf(() => trust.verify(answer, SignedPurpose.BrokerResponse, asOther))).toBe(
      SignerErrorCode.WrongKind,
    );
  });

  it('refuses altered bytes, a signature for another purpose, and a garbage signature', async () => {
    const trust = PKI.trust();
    const good = signed();
    const altered = { ...good, payload: new Uint8Array([1, 2, 4]) };
    const garbage = { ...good, signature: new Uint8Array(64) };
    for (const bad of [altered, garbage]) {
      expect(await codeOf(() => trust.verify(bad, SignedPurpose.Capability, { kind: 'node' }))).toBe(
        SignerErrorCode.Signature,
      );
    }
    expect(await codeOf(() => trust.verify(good, SignedPurpose.BrokerResponse, { kind: 'node' }))).toBe(
      SignerErrorCode.Signature,
    );
  });
});

describe('loadMeshIdentity', () => {
  it('loads a leaf and its key, and refuses a key that is not its own', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trustmesh-identity-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const issue = () =>
      issueLeafCertificate(PKI.ca.intermediate, {
        kind: 'broker',
        name: 'fs',
        algorithm: KeyAlgorithm.Ed25519,
      });
    const [leaf, other] = await Promise.all([issue(), issue()]);
    await writeFile(join(dir, 'fs.crt'), leaf.chainPem);
    await writeFile(join(dir, 'fs.key'), leaf.keyPem);
    await writeFile(join(dir, 'other.key'), other.keyPem);
    const identity = await loadMeshIdentity({ certFile: join(dir, 'fs.crt'), keyFile: join(dir, 'fs.key') });
    expect(identity).toMatchObject({ kind: 'broker', name: 'fs', serial: leaf.serial });
    await expect(
      loadMeshIdentity({ certFile: join(dir, 'fs.crt'), keyFile: join(dir, 'other.key') }),
    ).rejects.toMatchObject({ code: SignerErrorCode.Identity });
    await expect(
      loadMeshIdentity({ certFile: join(dir, 'missing.crt'), keyFile: join(dir, 'fs.key') }),
    ).rejects.toMatchObject({ code: SignerErrorCode.Identity });
  });

  it('reloads a renewed leaf in place, and keeps the current one when the files do not load', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trustmesh-identity-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const files = { certFile: join(dir, 'node.crt'), keyFile: join(dir, 'node.key') };
    const issue = async (name = 'local') => {
      const leaf = await issueLeafCertificate(PKI.ca.intermediate, {
        kind: 'node',
        name,
        algorithm: 'ed25519',
      });
      await writeFile(files.certFile, leaf.chainPem);
      await writeFile(files.keyFile, leaf.keyPem);
      return leaf;
    };
    const first = await issue();
    const identity = await ReloadableIdentity.load(files);
    expect(identity.serial).toBe(first.serial);
    const renewed = await issue();
    await identity.reload();
    expect(identity.serial).toBe(renewed.serial);
    const bytes = frame(sealSigned(identity, SignedPurpose.Capability, new Uint8Array([1])));
    await expect(
      PKI.trust().verify(bytes, SignedPurpose.Capability, { kind: 'node' }),
    ).resolves.toBeDefined();

    await writeFile(
      files.keyFile,
      (await issueLeafCertificate(PKI.ca.intermediate, { kind: 'node', name: 'x' })).keyPem,
    );
    await expect(identity.reload()).rejects.toMatchObject({ code: SignerErrorCode.Identity });
    await issue('someone-else');
    await expect(identity.reload()).rejects.toMatchObject({ code: SignerErrorCode.Identity });
    expect(identity).toMatchObject({ name: 'local', serial: renewed.serial });
  });

  it('signs with P-256 leaves too (the PKI default)', async () => {
    const leaf = await issueLeafCertificate(PKI.ca.intermediate, {
      kind: 'node',
      name: 'p',
      algorithm: 'p256',
    });
    const identity = meshIdentity(leaf.certPem, leaf.keyPem);
    const bytes = frame(sealSigned(identity, SignedPurpose.Capability, new Uint8Array([9])));
    await expect(PKI.trust().verify(bytes, SignedPurpose.Capability, { kind: 'node' })).resolves.toEqual({
      kind: 'node',
      name: 'p',
    });
  });
});
