import { generateKeyPairSync, type JsonWebKey, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TrustmeshError } from '../errors.js';

export class KeyStoreError extends TrustmeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_KEY_STORE', message, options);
  }
}

/** A fresh Ed25519 private key as a JWK (private keys are only ever written with mode 0600). */
export function newPrivateJwk(): JsonWebKey {
  return generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
}

/** The public members of a private JWK. */
export function publicJwkOf(privateJwk: JsonWebKey): JsonWebKey {
  const { d: _d, ...publicJwk } = privateJwk;
  return publicJwk;
}

/** Writes a secret file readable by its owner only. */
export async function writeSecretFile(path: string, contents: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, contents, { mode: 0o600 });
  await chmod(path, 0o600);
}

/**
 * Replaces a file by rename, so a reader (nats-server reloading, another node) never sees half of
 * it; a secret file is 0600 before it holds anything.
 */
export async function writeFileAtomically(path: string, contents: string, secret: boolean): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const mode = secret ? 0o600 : 0o644;
  try {
    await writeFile(tmp, contents, { mode });
    await chmod(tmp, mode);
    await rename(tmp, path);
  } catch (cause) {
    await rm(tmp, { force: true });
    throw new KeyStoreError(`Cannot write ${path}; check the directory permissions.`, { cause });
  }
}

/** Loads the private JWK at `path`, creating one when the file does not exist. */
export async function loadOrCreatePrivateJwk(path: string): Promise<JsonWebKey> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new KeyStoreError(`Cannot read key file ${path}; check its permissions.`, { cause });
    }
    const jwk = newPrivateJwk();
    await writeSecretFile(path, `${JSON.stringify(jwk)}\n`);
    return jwk;
  }
  try {
    const jwk = JSON.parse(text) as JsonWebKey;
    if (typeof jwk.d !== 'string') throw new Error('no private member "d"');
    return jwk;
  } catch (cause) {
    throw new KeyStoreError(`Key file ${path} is not a private JWK; move it aside to create a new key.`, {
      cause,
    });
  }
}
