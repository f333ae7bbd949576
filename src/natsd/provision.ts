import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TrustmeshError } from '../errors.js';

const run = promisify(execFile);

/** The oldest nats-server with everything trustmesh relies on (JetStream KV, operator/JWT mode). */
export const MIN_NATS_SERVER_VERSION = '2.9.0';

export class NatsServerMissingError extends TrustmeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_NATS_SERVER_MISSING', message, options);
  }
}

export interface NatsServerBinary {
  path: string;
  version: string;
}

export interface ProvisionOptions {
  /** Binary to look for; @default 'nats-server' (from PATH) or $TRUSTMESH_NATS_SERVER */
  binary?: string;
  /** Called with one-line progress messages while installing. */
  onProgress?: (line: string) => void;
}

/** Finds nats-server and checks its version; undefined when it is absent. Throws when it is too old. */
export async function findNatsServer(
  binary = defaultNatsServerBinary(),
): Promise<NatsServerBinary | undefined> {
  let stdout: string;
  try {
    ({ stdout } = await run(binary, ['--version']));
  } catch {
    return undefined;
  }
  const version = /v?(\d+\.\d+\.\d+)/.exec(stdout)?.[1];
  if (!version)
    throw new NatsServerMissingError(`'${binary} --version' printed no version (${stdout.trim()}).`);
  if (compareVersions(version, MIN_NATS_SERVER_VERSION) < 0) {
    throw new NatsServerMissingError(
      `nats-server ${version} is too old: trustmesh needs ${MIN_NATS_SERVER_VERSION} or newer. ` +
        'Upgrade it (Debian: apt-get install nats-server) or set TRUSTMESH_NATS_SERVER to a newer binary.',
    );
  }
  return { path: binary, version };
}

/**
 * Returns a usable nats-server, installing Debian's package when it is missing and we are root.
 * One function serves `npm start`, `npm test` and CI, so all three provision the same way.
 */
export async function ensureNatsServer(options: ProvisionOptions = {}): Promise<NatsServerBinary> {
  const binary = options.binary ?? defaultNatsServerBinary();
  const found = await findNatsServer(binary);
  if (found) return found;

  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || binary !== 'nats-server') {
    throw new NatsServerMissingError(
      `nats-server was not found (looked for '${binary}'). Install nats-server ${MIN_NATS_SERVER_VERSION} or newer ` +
        "(Debian/Ubuntu: 'sudo apt-get install nats-server'), or set TRUSTMESH_NATS_SERVER to its path, then run the command again.",
    );
  }
  const progress = options.onProgress ?? (() => {});
  try {
    progress('nats-server not found: installing it from Debian packages (apt-get update)…');
    await run('apt-get', ['update', '-qq'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    progress('nats-server not found: installing it from Debian packages (apt-get install nats-server)…');
    await run('apt-get', ['install', '-y', '-qq', 'nats-server'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (cause) {
    throw new NatsServerMissingError(
      "Installing nats-server with apt-get failed. Run 'apt-get install nats-server' by hand to see why, then try again.",
      { cause },
    );
  }
  const installed = await findNatsServer(binary);
  if (!installed)
    throw new NatsServerMissingError('apt-get reported success but nats-server is still not on PATH.');
  progress(`nats-server ${installed.version} installed.`);
  return installed;
}

export function defaultNatsServerBinary(): string {
  return process.env.TRUSTMESH_NATS_SERVER || 'nats-server';
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}
