import { createPublicKey } from 'node:crypto';
import { jwkThumbprint } from '../../transport/envelope/jwk.js';
import { PkiError, PkiErrorCode } from '../ca/errors.js';
import { x509 } from '../ca/x509.js';

/** What `pki show` prints and logs may carry: never key material. */
export interface CertificateSummary {
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  /** SHA-256 of the DER certificate, lower hex. */
  fingerprint: string;
  sans: string[];
}

export async function summarize(cert: x509.X509Certificate): Promise<CertificateSummary> {
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const fingerprint = Buffer.from(await cert.getThumbprint('SHA-256')).toString('hex');
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    serial: cert.serialNumber.toLowerCase(),
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    fingerprint,
    sans: san ? san.names.items.map((name) => `${name.type}:${name.value}`) : [],
  };
}

/** Parses one PEM (or DER) certificate, with an error that names where it came from. */
export function parseCertificate(pem: string | Uint8Array, source: string): x509.X509Certificate {
  try {
    return new x509.X509Certificate(typeof pem === 'string' ? pem : new Uint8Array(pem));
  } catch (cause) {
    throw new PkiError(
      PkiErrorCode.Malformed,
      `${source} is not a PEM certificate; re-issue it with 'trustmesh pki issue'.`,
      { cause },
    );
  }
}

/**
 * RFC 7638 thumbprint of the certificate's public key: the key id envelopes signed with the leaf key
 * carry, so a receiver can tie an envelope signer to the certificate that vouches for it.
 */
export async function certificateKeyId(cert: x509.X509Certificate): Promise<string> {
  const key = createPublicKey({ key: Buffer.from(cert.publicKey.rawData), format: 'der', type: 'spki' });
  return jwkThumbprint(key.export({ format: 'jwk' }));
}
