import { TrustmeshError } from '../../errors.js';

/** Why the PKI refused to issue, load or trust a certificate. Stable strings for `switch (err.code)`. */
export const PkiErrorCode = {
  /** Options out of range or contradicting each other (TTL, SANs, names, key algorithm). */
  Options: 'ERR_PKI_OPTIONS',
  /** A PKI directory that is missing, incomplete or unreadable. */
  Store: 'ERR_PKI_STORE',
  /** A PEM file that is not a certificate or key of the expected kind. */
  Malformed: 'ERR_PKI_MALFORMED',
  /** A certificate that does not chain to the mesh root. */
  Untrusted: 'ERR_CERT_UNTRUSTED',
  /** A certificate outside its validity window. */
  Expired: 'ERR_CERT_EXPIRED',
  /** A certificate whose serial is on the revocation list. */
  Revoked: 'ERR_CERT_REVOKED',
} as const;
export type PkiErrorCode = (typeof PkiErrorCode)[keyof typeof PkiErrorCode];

export class PkiError extends TrustmeshError {
  declare readonly code: PkiErrorCode;

  constructor(code: PkiErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
