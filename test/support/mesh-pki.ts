import { join } from 'node:path';
import type { Clock } from '../../src/clock.js';
import {
  createMeshCa,
  initPki,
  issueLeafCertificate,
  issueToStore,
  KeyAlgorithm,
  LeafKind,
  type MeshCa,
  pkiLayout,
  type TrustAnchors,
} from '../../src/pki/index.js';
import type { RevocationList } from '../../src/pki/revocation/index.js';
import { type MeshIdentity, MeshTrust, meshIdentity } from '../../src/pki/signer/index.js';

/** A mesh CA in memory, the leaves it issues, and verifiers that trust it. */
export interface TestPki {
  readonly ca: MeshCa;
  readonly anchors: TrustAnchors;
  /** An Ed25519 leaf of `kind` named `name`; `clock` and `ttlMs` shift its validity window. */
  identity(kind: LeafKind, name: string, options?: { clock?: Clock; ttlMs?: number }): Promise<MeshIdentity>;
  /** A verifier over this CA; nothing is revoked unless `revocations` says so. */
  trust(options?: { revocations?: Pick<RevocationList, 'isRevoked'>; clock?: Clock }): MeshTrust;
}

export async function createTestPki(): Promise<TestPki> {
  const ca = await createMeshCa({ algorithm: KeyAlgorithm.Ed25519 });
  const anchors = { root: ca.root.cert, intermediates: [ca.intermediate.cert] };
  return {
    ca,
    anchors,
    async identity(kind, name, { clock, ttlMs } = {}) {
      const issued = await issueLeafCertificate(ca.intermediate, {
        kind,
        name,
        algorithm: KeyAlgorithm.Ed25519,
        ...(clock ? { clock } : {}),
        ...(ttlMs ? { ttlMs } : {}),
      });
      return meshIdentity(issued.certPem, issued.keyPem);
    },
    trust({ revocations = { isRevoked: () => false }, clock } = {}) {
      return new MeshTrust({ anchors, revocations, ...(clock ? { clock } : {}) });
    },
  };
}

/**
 * What a mesh process of `trustmesh up` finds under `<dir>/pki` to sign with: the CA, the `node-local`
 * leaf and one broker leaf per server (Ed25519). No TLS leaves for operator tools, so operator
 * commands against a plain test server keep connecting without TLS.
 */
export async function issueSigningLeaves(dir: string, brokers: readonly string[]): Promise<void> {
  const layout = pkiLayout(join(dir, 'pki'));
  const ca = await initPki(layout.dir, { algorithm: KeyAlgorithm.Ed25519 });
  const leaves = [
    { kind: LeafKind.Node, name: 'local' },
    ...brokers.map((name) => ({ kind: LeafKind.Broker, name })),
  ];
  for (const leaf of leaves) {
    await issueToStore(layout, ca.intermediate, {
      ...leaf,
      ttlMs: 3_600_000,
      sans: [],
      algorithm: KeyAlgorithm.Ed25519,
    });
  }
}
