import type { Clock } from '../../clock.js';
import { BACKDATE_MS, type CertificateAuthority } from '../ca/authority.js';
import { PkiError, PkiErrorCode } from '../ca/errors.js';
import { algorithmOfCertificate } from '../ca/keys.js';
import type { x509 } from '../ca/x509.js';
import { summarize } from './inspect.js';
import { type IssuedCertificate, issueLeafCertificate, LeafKind } from './issue.js';

const IDENTITY = /^url:urn:trustmesh:([\w-]+):([\w.-]+)$/;

/**
 * Issues the successor of `current`: same kind, name, SANs, lifetime and key algorithm, with a fresh
 * key and serial. The certificate itself says all that, so a renewing process needs nothing else.
 */
export async function reissueLeaf(
  issuer: CertificateAuthority,
  current: x509.X509Certificate,
  clock?: Clock,
): Promise<IssuedCertificate> {
  const { sans } = await summarize(current);
  const identity = IDENTITY.exec(sans[0] ?? '');
  const kind = identity?.[1] as LeafKind | undefined;
  if (!identity || !kind || !Object.values(LeafKind).includes(kind)) {
    throw new PkiError(
      PkiErrorCode.Malformed,
      `certificate ${current.subject} names no trustmesh identity (urn:trustmesh:<kind>:<name>) to renew; ` +
        "issue it with 'trustmesh pki issue'.",
    );
  }
  return issueLeafCertificate(issuer, {
    kind,
    name: identity[2] ?? '',
    ttlMs: current.notAfter.getTime() - current.notBefore.getTime() - BACKDATE_MS,
    // The summary spells URIs `url:`; the SAN parser takes `uri:`.
    sans: sans.slice(1).map((san) => san.replace(/^url:/, 'uri:')),
    algorithm: algorithmOfCertificate(current),
    ...(clock ? { clock } : {}),
  });
}
