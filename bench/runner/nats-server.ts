import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { ensureNatsServer } from '../../src/natsd/provision.js';

export interface BenchNatsServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts a plain nats-server on a free loopback port for the run; stderr carries its readiness line. */
export async function startBenchNatsServer(): Promise<BenchNatsServer> {
  const binary = await ensureNatsServer({ onProgress: (line) => console.error(line) });
  const port = await freePort();
  const child = spawn(binary.path, ['-a', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Server is ready')) resolve();
    });
    child.once('exit', (code) =>
      reject(new Error(`nats-server exited with code ${code} before it was ready:\n${output.trim()}`)),
    );
    child.once('error', reject);
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('could not read a free port');
  return address.port;
}
