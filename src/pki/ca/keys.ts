import { webcrypto } from 'node:crypto';
import { PkiError, PkiErrorCode } from './errors.js';
import { x509 } from './x509.js';

/** Key algorithms for CA and leaf keys. */
export const KeyAlgorithm = { Ed25519: 'ed25519', P256: 'p256' } as const;
export type KeyAlgorithm = (typeof KeyAlgorithm)[keyof typeof KeyAlgorithm];

const KEY_PARAMS = {
  ed25519: { name: 'Ed25519' },
  p256: { name: 'ECDSA', namedCurve: 'P-256' },
} as const;

const SIGNING_PARAMS = {
  ed25519: { name: 'Ed25519' },
  p256: { name: 'ECDSA', hash: 'SHA-256' },
} as const;

/** A key pair with the algorithm it was made for; the private half stays inside this process. */
export interface PkiKeyPair {
  algorithm: KeyAlgorithm;
  keys: webcrypto.CryptoKeyPair;
}

export function isKeyAlgorithm(value: unknown): value is KeyAlgorithm {
  return value === KeyAlgorithm.Ed25519 || value === KeyAlgorithm.P256;
}

export async function generatePkiKeyPair(algorithm: KeyAlgorithm): Promise<PkiKeyPair> {
  if (!isKeyAlgorithm(algorithm)) {
    throw new PkiError(
      PkiErrorCode.Options,
      `key algorithm '${String(algorithm)}' is not 'ed25519' or 'p256'.`,
    );
  }
  const keys = (await webcrypto.subtle.generateKey(KEY_PARAMS[algorithm], true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  return { algorithm, keys };
}

/** The WebCrypto parameters a CA with this key algorithm signs with. */
export function signingAlgorithmOf(algorithm: KeyAlgorithm): webcrypto.Algorithm | webcrypto.EcdsaParams {
  return SIGNING_PARAMS[algorithm];
}

/** PKCS#8 PEM of the private key: what nats-server and Node's TLS load. Only ever written 0600. */
export async function exportPrivateKeyPem(pair: PkiKeyPair): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', pair.keys.privateKey);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/** Loads a PKCS#8 PEM private key together with the public key of its certificate. */
export async function importKeyPair(privateKeyPem: string, cert: x509.X509Certificate): Promise<PkiKeyPair> {
  const algorithm = algorithmOfCertificate(cert);
  try {
    const [der] = x509.PemConverter.decode(privateKeyPem);
    if (der === undefined) throw new Error('no PEM block');
    const privateKey = await webcrypto.subtle.importKey('pkcs8', der, KEY_PARAMS[algorithm], true, ['sign']);
    const publicKey = await cert.publicKey.export(KEY_PARAMS[algorithm], ['verify']);
    return { algorithm, keys: { privateKey, publicKey } };
  } catch (cause) {
    throw new PkiError(
      PkiErrorCode.Malformed,
      `the private key does not load as a PKCS#8 ${algorithm} key; restore it from backup or re-run 'trustmesh pki init'.`,
      { cause },
    );
  }
}

/** Which of our key algorithms a certificate's public key uses. */
export function algorithmOfCertificate(cert: x509.X509Certificate): KeyAlgorithm {
  const name = cert.publicKey.algorithm.name;
  if (name === 'Ed25519') return KeyAlgorithm.Ed25519;
  if (name === 'ECDSA' && (cert.publicKey.algorithm as webcrypto.EcKeyAlgorithm).namedCurve === 'P-256')
    return KeyAlgorithm.P256;
  throw new PkiError(PkiErrorCode.Malformed, `certificate ${cert.subject} has an unsupported key (${name}).`);
}
