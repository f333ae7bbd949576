import { createMeshCa, issueLeafCertificate, KeyAlgorithm, type TrustAnchors } from '../src/pki/index.js';
import { type MeshIdentity, meshIdentity } from '../src/pki/signer/index.js';

export interface BenchPki {
  readonly anchors: TrustAnchors;
  issue(kind: 'node' | 'broker', name: string): Promise<MeshIdentity>;
}

/** A fresh Ed25519 mesh CA, as `trustmesh up` makes, and the node and broker leaves mesh processes sign with. */
export async function benchPki(): Promise<BenchPki> {
  const ca = await createMeshCa({ algorithm: KeyAlgorithm.Ed25519 });
  return {
    anchors: { root: ca.root.cert, intermediates: [ca.intermediate.cert] },
    async issue(kind, name) {
      const leaf = await issueLeafCertificate(ca.intermediate, {
        kind,
        name,
        algorithm: KeyAlgorithm.Ed25519,
      });
      return meshIdentity(leaf.certPem, leaf.keyPem);
    },
  };
}
