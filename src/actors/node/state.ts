import type { JsonWebKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TrustmeshError } from '../../errors.js';
import { loadOrCreatePrivateJwk } from '../../pki/key-store.js';
import { importSigningKey, type SigningKey } from '../../transport/index.js';

export class NodeStateError extends TrustmeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_NODE_STATE', message, options);
  }
}

/**
 * The node's keys, from its state directory; each is created (mode 0600) when missing. Its certificate
 * identity (what signs capabilities) comes from the mesh PKI instead: `MeshNodeOptions.signer`.
 */
export interface NodeState {
  readonly identity: SigningKey;
  /** Private JWK that signs session tokens (`session create`); nodes verify with its public half. */
  readonly tokenKey: JsonWebKey;
}

export function nodeStatePaths(stateDir: string) {
  const keys = join(resolve(stateDir), 'keys');
  return {
    identity: join(keys, 'mesh-node.jwk'),
    tokenKey: join(keys, 'session-token.jwk'),
  } as const;
}

export async function loadNodeState(stateDir: string): Promise<NodeState> {
  const paths = nodeStatePaths(stateDir);
  const [identity, tokenKey] = await Promise.all([
    loadOrCreatePrivateJwk(paths.identity),
    loadOrCreatePrivateJwk(paths.tokenKey),
  ]);
  return { identity: importSigningKey(identity), tokenKey };
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
