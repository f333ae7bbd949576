import { TrustmeshError } from '../../errors.js';

/**
 * Why a message signed by a mesh identity (a node or broker certificate) was refused. Stable strings:
 * brokers return them, sessions turn them into broker failures, audit records keep them.
 */
export const SignerErrorCode = {
  /** The certificate is unknown and was not sent, is not a certificate, or does not chain to this mesh's CA. */
  Untrusted: 'ERR_SIGNER_UNTRUSTED',
  /** The certificate (or a CA above it) is outside its validity window at the time of use. */
  Expired: 'ERR_SIGNER_EXPIRED',
  /** The certificate (or a CA above it) is on the revocation list. */
  Revoked: 'ERR_SIGNER_REVOKED',
  /** A valid certificate of the wrong kind or name: a broker signing a capability, a node answering as a broker. */
  WrongKind: 'ERR_SIGNER_WRONG_KIND',
  /** The signature does not verify under the certificate's key: forged or altered bytes. */
  Signature: 'ERR_SIGNER_SIGNATURE',
  /** A certificate or key that cannot serve as this process's identity (unreadable, mismatched, no mesh URI). */
  Identity: 'ERR_SIGNER_IDENTITY',
} as const;
export type SignerErrorCode = (typeof SignerErrorCode)[keyof typeof SignerErrorCode];

export class SignerError extends TrustmeshError {
  declare readonly code: SignerErrorCode;

  constructor(code: SignerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
