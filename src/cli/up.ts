import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ensureNatsServer, startNatsServer } from '../natsd/index.js';
import { loadOrCreatePrivateJwk, newPrivateJwk, publicJwkOf, writeSecretFile } from '../pki/key-store.js';
import { writeSessionFile } from '../pki/session-file.js';
import { DEFAULT_PREFIX, newSessionId } from '../transport/index.js';
import { selfCommand, shellQuote, spawnTrustmesh, stopChild, untilSignal } from './child.js';
import { createOutput, type Output } from './output.js';
import { parsePort } from './parse.js';
import { DEFAULT_STATE_DIR, type StateLayout, stateLayout } from './state-dir.js';

interface UpOptions {
  dir: string;
  port: number;
  json?: boolean;
}

export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description(
      'Start a local mesh with no configuration: a nats-server, a mesh node and a demo MCP server.',
    )
    .option('--dir <dir>', 'state directory for keys, sessions and the nats-server store', DEFAULT_STATE_DIR)
    .option('--port <port>', 'nats-server client port on 127.0.0.1 (0 picks a free port)', parsePort, 0)
    .option('--json', 'print one JSON object once the mesh is up, for scripts')
    .addHelpText(
      'after',
      '\nExample:\n  trustmesh up            # then connect a client with the line it prints; Ctrl-C stops it all',
    )
    .action(async (options: UpOptions) => {
      await up(options, createOutput(options.json === true));
    });
}

async function up(options: UpOptions, out: Output): Promise<void> {
  const layout = stateLayout(options.dir);
  out.progress('1/4 checking for nats-server…');
  const binary = await ensureNatsServer({ onProgress: out.progress });

  out.progress(`2/4 starting nats-server ${binary.version} on 127.0.0.1…`);
  const nats = await startNatsServer({ dir: layout.natsDir, port: options.port, binary: binary.path });
  try {
    out.progress('3/4 creating the demo session…');
    const session = await createDemoSession(layout, nats.url);

    out.progress('4/4 starting the mesh node…');
    const { child: node, ready } = await spawnTrustmesh(['node', '--nats', nats.url, '--dir', layout.root], {
      onStderr: (line) => out.progress(`[node] ${line}`),
    });
    const bridge = [...selfCommand(), 'bridge', '--session', layout.demoSessionFile];
    out.result(
      [
        `trustmesh is up: nats-server at ${nats.url}, mesh node pid ${node.pid} serving the demo MCP server`,
        `for session ${session}. State is in ${layout.root}.`,
        '',
        'Connect any stdio MCP client by having it launch:',
        `  ${bridge.map(shellQuote).join(' ')}`,
        '',
        'Press Ctrl-C to stop the mesh.',
      ].join('\n'),
      {
        ok: true,
        natsUrl: nats.url,
        natsPid: nats.pid,
        nodePid: node.pid,
        sessionId: session,
        sessionFile: layout.demoSessionFile,
        bridge,
        sessionsServed: ready.sessions,
      },
    );
    const stopped = new Promise<void>((resolve) => node.once('exit', () => resolve()));
    const why = await Promise.race([untilSignal(), stopped.then(() => 'node exited' as const)]);
    out.progress(`stopping (${why})…`);
    await stopChild(node);
  } finally {
    await nats.stop();
  }
  out.progress('trustmesh stopped.');
}

/** Replaces any earlier demo session with a fresh one: new session id, new agent key. */
async function createDemoSession(layout: StateLayout, natsUrl: string): Promise<string> {
  const meshKey = await loadOrCreatePrivateJwk(layout.meshKey);
  const agentKey = newPrivateJwk();
  const sessionId = newSessionId();
  await rm(layout.sessionsDir, { recursive: true, force: true });
  await writeSecretFile(
    join(layout.sessionsDir, `${sessionId}.json`),
    `${JSON.stringify({ version: 1, sessionId, agentPublicKey: publicJwkOf(agentKey) })}\n`,
  );
  await writeSessionFile(layout.demoSessionFile, {
    version: 1,
    sessionId,
    prefix: DEFAULT_PREFIX,
    natsUrl,
    agentKey,
    meshKeys: [publicJwkOf(meshKey)],
  });
  return sessionId;
}
