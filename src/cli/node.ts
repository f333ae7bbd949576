import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import type { Command } from 'commander';
import { MeshNode } from '../actors/mesh-node.js';
import { createDemoServer } from '../demo/demo-server.js';
import { loadOrCreatePrivateJwk } from '../pki/key-store.js';
import { readSessionDescriptor } from '../pki/session-file.js';
import { DEFAULT_PREFIX, importSigningKey } from '../transport/index.js';
import { untilSignal } from './child.js';
import { DEFAULT_STATE_DIR, stateLayout } from './state-dir.js';

interface NodeOptions {
  nats: string;
  dir: string;
  prefix: string;
}

export function registerNodeCommand(program: Command): void {
  program
    .command('node')
    .description('Run a mesh node: serve the sessions in the state directory over NATS until stopped.')
    .requiredOption('--nats <url>', 'NATS server URL, e.g. nats://127.0.0.1:4222')
    .option('--dir <dir>', 'state directory holding keys/ and sessions/', DEFAULT_STATE_DIR)
    .option('--prefix <prefix>', 'subject prefix of the mesh', DEFAULT_PREFIX)
    .addHelpText(
      'after',
      '\nPrints one JSON ready line on stdout once it serves, logs on stderr, and stops cleanly on SIGTERM.\n' +
        'Example:\n  trustmesh node --nats nats://127.0.0.1:4222 --dir .trustmesh',
    )
    .action(runNode);
}

async function runNode(options: NodeOptions): Promise<void> {
  const layout = stateLayout(options.dir);
  const identity = importSigningKey(await loadOrCreatePrivateJwk(layout.meshKey));
  const connection = await connect({ servers: options.nats, name: `trustmesh-node-${process.pid}` });
  const node = new MeshNode({
    connection,
    identity,
    prefix: options.prefix,
    serverFactory: createDemoServer,
  });
  const files = (await readdir(layout.sessionsDir).catch(() => [])).filter((f) => f.endsWith('.json')).sort();
  for (const file of files) await node.serve(await readSessionDescriptor(join(layout.sessionsDir, file)));
  process.stdout.write(`${JSON.stringify({ ready: true, sessions: node.sessionCount, pid: process.pid })}\n`);
  process.stderr.write(`serving ${node.sessionCount} session(s) on ${options.nats}\n`);

  const closed = connection.closed();
  await Promise.race([untilSignal(), closed]);
  await node.close();
  if (!connection.isClosed()) await connection.drain();
}
