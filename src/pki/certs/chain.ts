import { PkiError, PkiErrorCode } from '../ca/errors.js';
import type { x509 } from '../ca/x509.js';

/** The certificates a verifier trusts: the mesh root and the issuing intermediates under it. */
export interface TrustAnchors {
  root: x509.X509Certificate;
  intermediates: x509.X509Certificate[];
}

export interface ChainCheck {
  /** Time of use, ms since the epoch. */
  at: number;
  /** Revocation lookup by lower-hex serial; checked for the leaf and its issuer. */
  isRevoked?: (serial: string) => boolean;
}

/**
 * Checks that `leaf` was signed by a trusted intermediate that was signed by the root, that both are
 * valid at `check.at` and neither is revoked. Throws PkiError (ERR_CERT_UNTRUSTED, ERR_CERT_EXPIRED,
 * ERR_CERT_REVOKED); resolves to the issuing intermediate.
 */
export async function verifyCertificateChain(
  leaf: x509.X509Certificate,
  anchors: TrustAnchors,
  check: ChainCheck,
): Promise<x509.X509Certificate> {
  let issuer: x509.X509Certificate | undefined;
  for (const candidate of anchors.intermediates) {
    if (candidate.subject !== leaf.issuer) continue;
    if (await leaf.verify({ publicKey: candidate, signatureOnly: true })) issuer = candidate;
  }
  const rootSigned =
    issuer !== undefined &&
    issuer.issuer === anchors.root.subject &&
    (await issuer.verify({ publicKey: anchors.root, signatureOnly: true }));
  if (!issuer || !rootSigned) {
    throw new PkiError(
      PkiErrorCode.Untrusted,
      `certificate ${leaf.subject} (serial ${leaf.serialNumber.toLowerCase()}) does not chain to the mesh root; ` +
        'issue it from this mesh with trustmesh pki issue.',
    );
  }
  for (const cert of [leaf, issuer, anchors.root]) {
    if (check.at < cert.notBefore.getTime() || check.at > cert.notAfter.getTime()) {
      throw new PkiError(
        PkiErrorCode.Expired,
        `certificate ${cert.subject} is valid only from ${cert.notBefore.toISOString()} to ` +
          `${cert.notAfter.toISOString()}; renew it with trustmesh pki renew.`,
      );
    }
    const serial = cert.serialNumber.toLowerCase();
    if (check.isRevoked?.(serial)) {
      throw new PkiError(
        PkiErrorCode.Revoked,
        `certificate ${cert.subject} (serial ${serial}) is revoked; issue a new one for this identity.`,
      );
    }
  }
  return issuer;
}
