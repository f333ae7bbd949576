import { createHash, createPublicKey, type KeyObject, verify, X509Certificate } from 'node:crypto';
import { type Clock, systemClock } from '../../clock.js';
import { PkiError, PkiErrorCode } from '../ca/errors.js';
import type { TrustAnchors } from '../certs/chain.js';
import { verifyCertificateChain } from '../certs/chain.js';
import { parseCertificate } from '../certs/inspect.js';
import type { RevocationList } from '../revocation/types.js';
import { SignerError, SignerErrorCode } from './errors.js';
import { type SignerName, signerName } from './identity.js';
import { type SignedFrame, type SignedPurpose, signedBytes } from './signed.js';

export interface MeshTrustOptions {
  /** The mesh root and its issuing intermediates (`loadPkiCertificates`). */
  readonly anchors: TrustAnchors;
  /** Read on every use: a certificate revoked while cached is refused from the next message on. */
  readonly revocations: Pick<RevocationList, 'isRevoked'>;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Verified certificates kept; the oldest is dropped beyond it (and verified again if it returns). @default 1024 */
  readonly maxCertificates?: number;
}

/** Who a message must come from: a kind, and for a broker the server it fronts. */
export interface ExpectedSigner {
  readonly kind: SignerName['kind'];
  readonly name?: string;
}

/** A certificate whose chain was verified once; validity and revocation are re-checked on each use. */
interface VerifiedCertificate extends SignerName {
  readonly fingerprint: string;
  readonly key: KeyObject;
  readonly digest: 'sha256' | null;
  readonly notBefore: number;
  readonly notAfter: number;
  /** Leaf, intermediate and root serials, lower hex. */
  readonly serials: readonly string[];
}

export const DEFAULT_TRUSTED_CERTIFICATES = 1024;

/**
 * Verifies messages signed by mesh identities. The chain to the mesh CA is verified once per
 * certificate (cached by SHA-256 fingerprint); the validity window, revocation, the expected kind and
 * the signature are checked on every message. Throws only `SignerError`.
 */
export class MeshTrust {
  readonly #anchors: TrustAnchors;
  readonly #revocations: Pick<RevocationList, 'isRevoked'>;
  readonly #clock: Clock;
  readonly #max: number;
  readonly #verified = new Map<string, Promise<VerifiedCertificate>>();

  constructor(options: MeshTrustOptions) {
    this.#anchors = options.anchors;
    this.#revocations = options.revocations;
    this.#clock = options.clock ?? systemClock;
    this.#max = options.maxCertificates ?? DEFAULT_TRUSTED_CERTIFICATES;
  }

  /** Returns who signed `frame` for `purpose` if it is `expected` and everything checks out now. */
  async verify(frame: SignedFrame, purpose: SignedPurpose, expected: ExpectedSigner): Promise<SignerName> {
    const cert = await this.#certificate(frame);
    const now = this.#clock();
    if (now < cert.notBefore || now > cert.notAfter) {
      throw new SignerError(
        SignerErrorCode.Expired,
        `The ${cert.kind} certificate of ${cert.name} (or a CA above it) is valid only from ${iso(cert.notBefore)} to ${iso(cert.notAfter)}, not now (${iso(now)}); renew it and restart that process, or check its clock.`,
      );
    }
    const revoked = cert.serials.find((serial) => this.#revocations.isRevoked(serial));
    if (revoked !== undefined) {
      throw new SignerError(
        SignerErrorCode.Revoked,
        `The ${cert.kind} certificate of ${cert.name} chains through revoked serial ${revoked}; issue that identity a new certificate.`,
      );
    }
    if (cert.kind !== expected.kind || (expected.name !== undefined && cert.name !== expected.name)) {
      const wanted = expected.name === undefined ? `a ${expected.kind}` : `${expected.kind} ${expected.name}`;
      throw new SignerError(
        SignerErrorCode.WrongKind,
        `This message must be signed by ${wanted}, but it is signed by ${cert.kind} ${cert.name}; give each process the certificate issued for its role.`,
      );
    }
    const data = signedBytes(purpose, frame.payload);
    if (!safeVerify(cert, data, frame.signature)) {
      throw new SignerError(
        SignerErrorCode.Signature,
        `The signature does not verify under the certificate of ${cert.kind} ${cert.name}: the message was forged or altered in transit.`,
      );
    }
    return { kind: cert.kind, name: cert.name };
  }

  #certificate(frame: SignedFrame): Promise<VerifiedCertificate> {
    const fingerprint = Buffer.from(frame.fingerprint).toString('hex');
    let verified = this.#verified.get(fingerprint);
    if (verified === undefined) {
      verified = this.#verifyChain(fingerprint, frame.certificate);
      // Only successes stay: a refusal may be a revocation or clock problem that later clears.
      verified.catch(() => this.#verified.delete(fingerprint));
      this.#verified.set(fingerprint, verified);
      if (this.#verified.size > this.#max)
        this.#verified.delete(this.#verified.keys().next().value as string);
    }
    return verified;
  }

  async #verifyChain(fingerprint: string, der: Uint8Array): Promise<VerifiedCertificate> {
    if (createHash('sha256').update(der).digest('hex') !== fingerprint) {
      throw untrusted('the certificate sent is not the one its fingerprint names');
    }
    let node: X509Certificate;
    try {
      node = new X509Certificate(der);
    } catch (cause) {
      throw untrusted('the bytes sent as its certificate are not a certificate', cause);
    }
    const leaf = parseCertificate(der, 'the signer certificate');
    let issuer: Awaited<ReturnType<typeof verifyCertificateChain>>;
    try {
      issuer = await verifyCertificateChain(leaf, this.#anchors, {
        at: this.#clock(),
        isRevoked: (serial) => this.#revocations.isRevoked(serial),
      });
    } catch (cause) {
      throw fromPki(cause, node.subject);
    }
    const named = signerName(node);
    if (named === undefined) throw untrusted(`certificate ${node.subject} names no mesh identity`);
    const key = createPublicKey({ key: Buffer.from(leaf.publicKey.rawData), format: 'der', type: 'spki' });
    const root = this.#anchors.root;
    return {
      ...named,
      fingerprint,
      key,
      digest: key.asymmetricKeyType === 'ed25519' ? null : 'sha256',
      notBefore: Math.max(...[leaf, issuer, root].map((c) => c.notBefore.getTime())),
      notAfter: Math.min(...[leaf, issuer, root].map((c) => c.notAfter.getTime())),
      serials: [leaf, issuer, root].map((c) => c.serialNumber.toLowerCase()),
    };
  }
}

function safeVerify(cert: VerifiedCertificate, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify(cert.digest, data, { key: cert.key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}

function fromPki(cause: unknown, subject: string): SignerError {
  if (cause instanceof PkiError && cause.code === PkiErrorCode.Expired) {
    return new SignerError(SignerErrorCode.Expired, `${cause.message} Restart the process with it.`, {
      cause,
    });
  }
  if (cause instanceof PkiError && cause.code === PkiErrorCode.Revoked) {
    return new SignerError(SignerErrorCode.Revoked, cause.message, { cause });
  }
  return untrusted(`certificate ${subject} does not chain to this mesh's CA`, cause);
}

function untrusted(problem: string, cause?: unknown): SignerError {
  return new SignerError(
    SignerErrorCode.Untrusted,
    `The signer is not trusted: ${problem}. Only certificates issued by this mesh's CA are accepted.`,
    { cause },
  );
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
