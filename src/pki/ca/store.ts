import { access, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomically } from '../key-store.js';
import { createMeshCa, type MeshCa, type MeshCaOptions } from './authority.js';
import { PkiError, PkiErrorCode } from './errors.js';
import { exportPrivateKeyPem, importKeyPair } from './keys.js';
import { x509 } from './x509.js';

/** Where a mesh PKI lives on disk. Keys are 0600; certificates and the revocation list 0644. */
export function pkiLayout(dir: string) {
  const root = resolve(dir);
  return {
    dir: root,
    rootCert: join(root, 'root.crt'),
    rootKey: join(root, 'root.key'),
    intermediateCert: join(root, 'intermediate.crt'),
    intermediateKey: join(root, 'intermediate.key'),
    revocations: join(root, 'revocations.json'),
    issuedDir: join(root, 'issued'),
  } as const;
}
export type PkiLayout = ReturnType<typeof pkiLayout>;

/** Creates the root and intermediate CA in `dir`; refuses to overwrite an existing one. */
export async function initPki(dir: string, options: MeshCaOptions = {}): Promise<MeshCa> {
  const layout = pkiLayout(dir);
  if (await exists(layout.rootCert)) {
    throw new PkiError(
      PkiErrorCode.Store,
      `a mesh CA already exists in ${layout.dir}; use it, or move the directory aside to start a new mesh.`,
    );
  }
  const ca = await createMeshCa(options);
  await writeFileAtomically(layout.rootKey, await exportPrivateKeyPem(ca.root.key), true);
  await writeFileAtomically(layout.intermediateKey, await exportPrivateKeyPem(ca.intermediate.key), true);
  await writeFileAtomically(layout.intermediateCert, ca.intermediate.cert.toString('pem'), false);
  // The root certificate goes last: its presence is what marks the directory as initialised.
  await writeFileAtomically(layout.rootCert, ca.root.cert.toString('pem'), false);
  return ca;
}

/** Loads the mesh CA from `dir`, keys included. */
export async function loadPki(dir: string): Promise<MeshCa> {
  const layout = pkiLayout(dir);
  const rootCert = await readCert(layout.rootCert);
  const intermediateCert = await readCert(layout.intermediateCert);
  return {
    root: { cert: rootCert, key: await importKeyPair(await readText(layout.rootKey), rootCert) },
    intermediate: {
      cert: intermediateCert,
      key: await importKeyPair(await readText(layout.intermediateKey), intermediateCert),
    },
  };
}

/** Loads the CA certificates only (what `show` and verifiers need; no private key is read). */
export async function loadPkiCertificates(
  dir: string,
): Promise<{ root: x509.X509Certificate; intermediate: x509.X509Certificate }> {
  const layout = pkiLayout(dir);
  return { root: await readCert(layout.rootCert), intermediate: await readCert(layout.intermediateCert) };
}

async function readCert(path: string): Promise<x509.X509Certificate> {
  const text = await readText(path);
  try {
    return new x509.X509Certificate(text);
  } catch (cause) {
    throw new PkiError(PkiErrorCode.Malformed, `${path} is not a PEM certificate; restore it from backup.`, {
      cause,
    });
  }
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new PkiError(
      PkiErrorCode.Store,
      `cannot read ${path}; run 'trustmesh pki init' first, or pass --dir with the mesh PKI directory.`,
      { cause },
    );
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
