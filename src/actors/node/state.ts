import { type JsonWebKey, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TrustmeshError } from '../../errors.js';
import { loadOrCreatePrivateJwk, writeSecretFile } from '../../pki/key-store.js';
import { importSigningKey, type SigningKey } from '../../transport/index.js';
import { MIN_MESH_CAPABILITY_SECRET_BYTES } from '../capability/index.js';

export class NodeStateError extends TrustmeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_NODE_STATE', message, options);
  }
}

/** The node's secrets, from its state directory; each is created (mode 0600) when missing. */
export interface NodeState {
  readonly identity: SigningKey;
  readonly meshSecret: Uint8Array;
  /** Private JWK that signs session tokens (`session create`); nodes verify with its public half. */
  readonly tokenKey: JsonWebKey;
}

export function nodeStatePaths(stateDir: string) {
  const keys = join(resolve(stateDir), 'keys');
  return {
    identity: join(keys, 'mesh-node.jwk'),
    capabilitySecret: join(keys, 'capability.secret'),
    tokenKey: join(keys, 'session-token.jwk'),
  } as const;
}

export async function loadNodeState(stateDir: string): Promise<NodeState> {
  const paths = nodeStatePaths(stateDir);
  const identity = importSigningKey(await loadOrCreatePrivateJwk(paths.identity));
  const [meshSecret, tokenKey] = await Promise.all([
    loadOrCreateSecret(paths.capabilitySecret),
    loadOrCreatePrivateJwk(paths.tokenKey),
  ]);
  return { identity, meshSecret, tokenKey };
}

/**
 * The mesh's session-token signing key, read only: `session create` must sign with the key the nodes
 * verify with, never mint a new one a node has not seen.
 */
export async function loadTokenKey(stateDir: string): Promise<JsonWebKey> {
  const path = nodeStatePaths(stateDir).tokenKey;
  try {
    const jwk = JSON.parse(await readFile(path, 'utf8')) as JsonWebKey;
    if (typeof jwk.d === 'string') return jwk;
  } catch (cause) {
    throw new NodeStateError(
      `Cannot read the session token key ${path}; start a mesh node with this --dir first ('trustmesh up' or 'trustmesh node'), which creates it.`,
      { cause },
    );
  }
  throw new NodeStateError(`${path} is not a private JWK; restore the mesh's token key from its node.`);
}

async function loadOrCreateSecret(path: string): Promise<Uint8Array> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new NodeStateError(`Cannot read ${path}; check its permissions.`, { cause });
    }
    const secret = randomBytes(MIN_MESH_CAPABILITY_SECRET_BYTES);
    await writeSecretFile(path, `${secret.toString('base64url')}\n`);
    return secret;
  }
  const secret = Buffer.from(text.trim(), 'base64url');
  if (secret.byteLength < MIN_MESH_CAPABILITY_SECRET_BYTES) {
    throw new NodeStateError(
      `${path} holds ${secret.byteLength} bytes; a capability secret needs ${MIN_MESH_CAPABILITY_SECRET_BYTES}. Move it aside to create a new one (and restart every node and broker with the new one).`,
    );
  }
  return secret;
}
