import { ensureNatsServer } from '../../src/natsd/provision.js';

/** Provision nats-server once for the whole run (installs it from Debian when missing and root). */
export default async function setup(): Promise<void> {
  const found = await ensureNatsServer({ onProgress: (line) => console.error(line) });
  process.env.TRUSTMESH_NATS_SERVER = found.path;
}
