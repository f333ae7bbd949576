import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { connect } from '@nats-io/transport-node';
import { onTestFinished } from 'vitest';
import { FilePinStore, ToolBroker, type Upstream } from '../../../../src/actors/broker/index.js';
import { loadPolicy } from '../../../../src/policy/index.js';
import type { Mesh } from './mesh-fixture.js';

/**
 * Starts one more real broker on the mesh's nats-server, with a broker certificate of the mesh CA, and waits
 * until it is ready; drained (and its pin directory removed) when the test ends.
 */
export async function addBroker(mesh: Mesh, server: string, upstream: Upstream): Promise<ToolBroker> {
  const pins = await mkdtemp(join(tmpdir(), 'trustmesh-pins-'));
  const nc = await connect({ servers: mesh.url });
  const broker = new ToolBroker({
    connection: nc,
    server,
    upstream,
    identity: await mesh.pki.identity('broker', server),
    trust: mesh.pki.trust({ revocations: mesh.revocations }),
    pinStore: new FilePinStore(pins),
    allowedCommands: [basename(process.execPath)],
  });
  onTestFinished(async () => {
    await broker.drain();
    await nc.close();
    await rm(pins, { recursive: true, force: true });
  });
  await broker.start();
  return broker;
}

/** Replaces the node's policy with `yaml` (sessions started afterwards get it from the start). */
export async function usePolicy(mesh: Mesh, yaml: string): Promise<void> {
  const path = join(mesh.dir, 'extra-policy.yaml');
  await writeFile(path, yaml);
  mesh.node.setPolicy(await loadPolicy([path]));
}

/** Counts the `notifications/tools/list_changed` an agent's client receives. */
export function countListChanged(client: Client): { readonly count: number } {
  const counter = { count: 0 };
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    counter.count++;
  });
  return counter;
}
