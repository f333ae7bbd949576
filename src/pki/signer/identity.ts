import { createHash, createPrivateKey, type KeyObject, sign, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { LeafKind } from '../certs/issue.js';
import { SignerError, SignerErrorCode } from './errors.js';

/** A node or broker as the mesh knows it: the `urn:trustmesh:<kind>:<name>` URI of its certificate. */
export interface SignerName {
  readonly kind: LeafKind;
  readonly name: string;
}

/** This process's signing identity: a leaf certificate of the mesh CA and its private key. */
export interface MeshIdentity extends SignerName {
  /** The leaf certificate, DER: sent with every signed message so any peer can check it once. */
  readonly certificate: Uint8Array;
  /** SHA-256 of `certificate`: what peers cache the verified certificate under. */
  readonly fingerprint: Uint8Array;
  /** Lower hex, as the revocation list names it. */
  readonly serial: string;
  readonly notAfter: number;
  sign(data: Uint8Array): Uint8Array;
}

export interface IdentityFiles {
  /** PEM: the leaf first (a chain file with the intermediate after it is fine). */
  readonly certFile: string;
  /** PKCS#8 PEM private key (0600). */
  readonly keyFile: string;
}

const MESH_URI = /(?:^|, )URI:urn:trustmesh:([a-z-]+):([\w.-]{1,128})(?:,|$)/;
const KINDS: ReadonlySet<string> = new Set(Object.values(LeafKind));

export async function loadMeshIdentity(files: IdentityFiles): Promise<MeshIdentity> {
  const [certPem, keyPem] = await Promise.all([read(files.certFile), read(files.keyFile)]);
  return meshIdentity(certPem, keyPem, files.certFile);
}

/** An identity from PEM texts (`issueLeafCertificate` output, or files read elsewhere). */
export function meshIdentity(certPem: string, keyPem: string, source = 'the certificate'): MeshIdentity {
  let cert: X509Certificate;
  let key: KeyObject;
  try {
    cert = new X509Certificate(certPem);
    key = createPrivateKey(keyPem);
  } catch (cause) {
    throw identityError(`${source} or its key is not a PEM certificate and PKCS#8 key`, cause);
  }
  if (!cert.checkPrivateKey(key)) throw identityError(`the key given for ${source} is not its key`);
  const named = signerName(cert);
  if (named === undefined) throw identityError(`${source} names no urn:trustmesh:<kind>:<name> identity`);
  const digest = key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  if (digest !== null && key.asymmetricKeyType !== 'ec') {
    throw identityError(`${source} has a ${key.asymmetricKeyType} key; issue an ed25519 or p256 leaf`);
  }
  const certificate = new Uint8Array(cert.raw);
  return {
    ...named,
    certificate,
    fingerprint: createHash('sha256').update(certificate).digest(),
    serial: cert.serialNumber.toLowerCase(),
    notAfter: Date.parse(cert.validTo),
    sign: (data) => sign(digest, data, { key, dsaEncoding: 'ieee-p1363' }),
  };
}

/** The mesh identity a certificate names, or undefined if it names none. */
export function signerName(cert: X509Certificate): SignerName | undefined {
  const match = MESH_URI.exec(cert.subjectAltName ?? '');
  if (!match?.[1] || !match[2] || !KINDS.has(match[1])) return undefined;
  return { kind: match[1] as LeafKind, name: match[2] };
}

async function read(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw identityError(`cannot read ${path} (${(cause as Error).message})`, cause);
  }
}

function identityError(problem: string, cause?: unknown): SignerError {
  return new SignerError(
    SignerErrorCode.Identity,
    `Cannot load this process's mesh identity: ${problem}. Issue one with 'trustmesh pki issue --kind node|broker' (trustmesh up does it for a local mesh).`,
    { cause },
  );
}
