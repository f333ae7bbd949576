import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  type ConnectionOptions,
  connect,
  credsAuthenticator,
  type NatsConnection,
} from '@nats-io/transport-node';
import type { Command } from 'commander';
import { TrustmeshError } from '../errors.js';
import { LeafKind } from '../pki/certs/index.js';
import { writeSecretFile } from '../pki/key-store.js';
import { createNatsAuthority, type NatsAuthority, natsAuthFiles } from '../pki/nats-auth/index.js';
import { type ClientTlsFiles, natsClientTlsFiles } from '../pki/tls/index.js';
import { DEFAULT_PREFIX } from '../transport/index.js';
import { LOCAL_NAME, localMeshTls } from './mesh-tls.js';
import { DEFAULT_STATE_DIR, pathExists } from './state-dir.js';

/** Where a running local mesh says it can be reached; written by `trustmesh up`. */
export interface MeshInfo {
  natsUrl: string;
  prefix: string;
  /** NATS user credentials to connect with (a mesh in operator mode); absent on an open server. */
  creds?: string;
  /** Client certificate, key and mesh root to connect with (a mesh that runs mutual TLS). */
  tls?: ClientTlsFiles;
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
  const operatorCreds = meshCredsPath(flags.dir, 'operator');
  const operatorTls = await localMeshTls(flags.dir, LeafKind.Operator, LOCAL_NAME);
  return {
    natsUrl: url ?? String(local.natsUrl),
    prefix: flags.prefix ?? local.prefix ?? DEFAULT_PREFIX,
    ...((await pathExists(operatorCreds)) ? { creds: operatorCreds } : {}),
    ...(operatorTls ? { tls: operatorTls } : {}),
  };
}

/** Where a local mesh keeps the `.creds` file of one of its processes (0600). */
export function meshCredsPath(dir: string, name: string): string {
  return join(resolve(dir), 'creds', `${name}.creds`);
}

/** The NATS authority of a local mesh (`<dir>/nats-auth`); `trustmesh up` creates it on first start. */
export function openNatsAuthority(dir: string): Promise<NatsAuthority> {
  return createNatsAuthority({ stateDir: join(resolve(dir), 'nats-auth') });
}

/** The local mesh's NATS authority if it runs in operator mode, else undefined (an open server). */
export async function localNatsAuthority(dir: string): Promise<NatsAuthority | undefined> {
  const complete = await pathExists(natsAuthFiles(join(resolve(dir), 'nats-auth')).accounts);
  return complete ? openNatsAuthority(dir) : undefined;
}

/** Connection options that authenticate with the `.creds` file at `path`, if one is given. */
export async function credsOptions(path: string | undefined): Promise<Partial<ConnectionOptions>> {
  if (path === undefined) return {};
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new MeshNotFoundError(
      `cannot read the NATS credentials ${path} (${(cause as Error).message}); check the path and its permissions.`,
    );
  }
  return { authenticator: credsAuthenticator(new TextEncoder().encode(text)) };
}

/** How a long-running mesh process connects: it rides out NATS restarts, and request errors skip the async stack capture nats.js otherwise pays on every request. */
export const SERVICE_CONNECTION = { maxReconnectAttempts: -1, noAsyncTraces: true } as const;

/**
 * Connects to the mesh, failing fast with a message that says what to check. An operator tool
 * (the default) gives up at once when the connection drops; a `service` reconnects forever.
 */
export async function connectToMesh(
  mesh: MeshInfo,
  name: string,
  { service = false, inboxPrefix }: { service?: boolean; inboxPrefix?: string } = {},
): Promise<NatsConnection> {
  const auth = await credsOptions(mesh.creds);
  const lifetime = service ? SERVICE_CONNECTION : { maxReconnectAttempts: 0 };
  const tls = mesh.tls ? { tls: natsClientTlsFiles(mesh.tls) } : {};
  const inbox = inboxPrefix === undefined ? {} : { inboxPrefix };
  try {
    return await connect({
      servers: mesh.natsUrl,
      name,
      timeout: 5_000,
      ...lifetime,
      ...auth,
      ...tls,
      ...inbox,
    });
  } catch (cause) {
    throw new MeshNotFoundError(
      `cannot reach the mesh at ${mesh.natsUrl} (${(cause as Error).message}). ` +
        "Is it running? Start it with 'trustmesh up', or check --nats" +
        (mesh.tls ? '.' : '; a mesh that runs mutual TLS needs --dir pointing at its state directory.'),
    );
  }
}
