import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Command } from 'commander';
import { TrustmeshError } from '../errors.js';
import { writeSecretFile } from '../pki/key-store.js';
import { DEFAULT_PREFIX } from '../transport/index.js';
import { DEFAULT_STATE_DIR } from './state-dir.js';

/** Where a running local mesh says it can be reached; written by `trustmesh up`. */
export interface MeshInfo {
  natsUrl: string;
  prefix: string;
}

export interface MeshConnectionFlags {
  nats?: string;
  dir: string;
  prefix?: string;
}

export class MeshNotFoundError extends TrustmeshError {
  constructor(message: string) {
    super('ERR_MESH_NOT_FOUND', message);
  }
}

const MESH_INFO_FILE = 'mesh.json';

/** Adds the flags every operator command shares: --nats, --dir, --prefix. */
export function withMeshFlags(command: Command): Command {
  return command
    .option('--nats <url>', 'NATS URL of the mesh (default: $TRUSTMESH_NATS_URL, then <dir>/mesh.json)')
    .option('--dir <dir>', 'state directory of a local mesh started by trustmesh up', DEFAULT_STATE_DIR)
    .option('--prefix <prefix>', 'subject prefix of the mesh (default: the local mesh prefix, else tm)');
}

export async function writeMeshInfo(dir: string, info: MeshInfo): Promise<void> {
  await writeSecretFile(join(resolve(dir), MESH_INFO_FILE), `${JSON.stringify(info)}\n`);
}

/** The mesh to talk to: --nats, then $TRUSTMESH_NATS_URL, then the local mesh's mesh.json. */
export async function resolveMesh(flags: MeshConnectionFlags): Promise<MeshInfo> {
  const url = flags.nats ?? process.env.TRUSTMESH_NATS_URL;
  let local: Partial<MeshInfo> = {};
  try {
    local = JSON.parse(await readFile(join(resolve(flags.dir), MESH_INFO_FILE), 'utf8')) as MeshInfo;
  } catch {
    if (!url) {
      throw new MeshNotFoundError(
        `no mesh found: ${join(resolve(flags.dir), MESH_INFO_FILE)} does not exist. ` +
          "Start a local mesh with 'trustmesh up', or pass --nats <url> (or set TRUSTMESH_NATS_URL).",
      );
    }
  }
  return {
    natsUrl: url ?? String(local.natsUrl),
    prefix: flags.prefix ?? local.prefix ?? DEFAULT_PREFIX,
  };
}

/** Connects an operator tool to the mesh, failing fast with a message that says what to check. */
export async function connectToMesh(mesh: MeshInfo, name: string): Promise<NatsConnection> {
  try {
    return await connect({ servers: mesh.natsUrl, name, maxReconnectAttempts: 0, timeout: 5_000 });
  } catch (cause) {
    throw new MeshNotFoundError(
      `cannot reach the mesh at ${mesh.natsUrl} (${(cause as Error).message}). ` +
        "Is it running? Start it with 'trustmesh up', or check --nats.",
    );
  }
}
