import type { webcrypto } from 'node:crypto';
import { type Clock, systemClock } from '../../clock.js';
import { PkiError, PkiErrorCode } from './errors.js';
import {
  generatePkiKeyPair,
  isKeyAlgorithm,
  KeyAlgorithm,
  type PkiKeyPair,
  signingAlgorithmOf,
} from './keys.js';
import { randomSerial } from './serial.js';
import { x509 } from './x509.js';

/** A CA certificate with its key pair. */
export interface CertificateAuthority {
  cert: x509.X509Certificate;
  key: PkiKeyPair;
}

/** The mesh root (kept offline in production) and the intermediate that issues every leaf. */
export interface MeshCa {
  root: CertificateAuthority;
  intermediate: CertificateAuthority;
}

export interface MeshCaOptions {
  /** Mesh name, used in the CA subjects. @default 'trustmesh' */
  name?: string;
  /** Key algorithm of both CA keys. @default 'p256' */
  algorithm?: KeyAlgorithm;
  /** Root validity. @default 10 years */
  rootTtlMs?: number;
  /** Intermediate validity; must end before the root does. @default 1 year */
  intermediateTtlMs?: number;
  /** @default systemClock */
  clock?: Clock;
}

const DAY_MS = 86_400_000;
export const DEFAULT_ROOT_TTL_MS = 3650 * DAY_MS;
export const DEFAULT_INTERMEDIATE_TTL_MS = 365 * DAY_MS;
export const DEFAULT_MESH_NAME = 'trustmesh';
/** Certificates start a little in the past so a peer whose clock lags slightly still accepts them. */
export const BACKDATE_MS = 60_000;

export function parseMeshCaOptions(options: MeshCaOptions = {}): Required<MeshCaOptions> {
  const resolved = {
    name: options.name ?? DEFAULT_MESH_NAME,
    algorithm: options.algorithm ?? KeyAlgorithm.P256,
    rootTtlMs: options.rootTtlMs ?? DEFAULT_ROOT_TTL_MS,
    intermediateTtlMs: options.intermediateTtlMs ?? DEFAULT_INTERMEDIATE_TTL_MS,
    clock: options.clock ?? systemClock,
  };
  const fail = (message: string): never => {
    throw new PkiError(PkiErrorCode.Options, `Invalid CA options: ${message}`);
  };
  if (!/^[\w.-]{1,64}$/.test(resolved.name))
    fail(`name '${resolved.name}' must be 1-64 letters, digits, '_', '.' or '-'.`);
  if (!isKeyAlgorithm(resolved.algorithm)) fail(`algorithm must be 'ed25519' or 'p256'.`);
  if (!(resolved.rootTtlMs > 0) || !(resolved.intermediateTtlMs > 0))
    fail('rootTtlMs and intermediateTtlMs must be positive.');
  if (resolved.intermediateTtlMs >= resolved.rootTtlMs)
    fail('intermediateTtlMs must be shorter than rootTtlMs, or the intermediate outlives its root.');
  return resolved;
}

/** Creates a self-signed mesh root and an intermediate issuing CA signed by it (path length 0). */
export async function createMeshCa(options: MeshCaOptions = {}): Promise<MeshCa> {
  const { name, algorithm, rootTtlMs, intermediateTtlMs, clock } = parseMeshCaOptions(options);
  const now = clock();
  const rootKey = await generatePkiKeyPair(algorithm);
  const rootCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${name} root CA, O=${name}`,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + rootTtlMs),
    keys: rootKey.keys,
    signingAlgorithm: signingAlgorithmOf(algorithm),
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKey.keys.publicKey),
    ],
  });
  const root = { cert: rootCert, key: rootKey };
  const intermediateKey = await generatePkiKeyPair(algorithm);
  const intermediateCert = await signCertificate(root, {
    subject: `CN=${name} issuing CA, O=${name}`,
    publicKey: intermediateKey.keys.publicKey,
    notBefore: now - BACKDATE_MS,
    notAfter: now + intermediateTtlMs,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return { root, intermediate: { cert: intermediateCert, key: intermediateKey } };
}

/** What `signCertificate` needs besides the issuer. */
export interface CertificateRequest {
  subject: string;
  publicKey: webcrypto.CryptoKey;
  notBefore: number;
  notAfter: number;
  extensions: x509.Extension[];
  /** @default a fresh random serial */
  serial?: string;
}

/** Signs a certificate with `issuer`, adding subject and authority key identifiers. */
export async function signCertificate(
  issuer: CertificateAuthority,
  request: CertificateRequest,
): Promise<x509.X509Certificate> {
  if (request.notAfter > issuer.cert.notAfter.getTime()) {
    throw new PkiError(
      PkiErrorCode.Options,
      `the certificate for ${request.subject} would outlive its issuer (${issuer.cert.notAfter.toISOString()}); ` +
        'shorten its lifetime or renew the issuing CA.',
    );
  }
  return x509.X509CertificateGenerator.create({
    serialNumber: request.serial ?? randomSerial(),
    subject: request.subject,
    issuer: issuer.cert.subject,
    notBefore: new Date(request.notBefore),
    notAfter: new Date(request.notAfter),
    publicKey: request.publicKey,
    signingKey: issuer.key.keys.privateKey,
    signingAlgorithm: signingAlgorithmOf(issuer.key.algorithm),
    extensions: [
      ...request.extensions,
      await x509.SubjectKeyIdentifierExtension.create(request.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(issuer.cert),
    ],
  });
}
