import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = [process.execPath, '--import', 'tsx', join(import.meta.dirname, '../../../src/cli/run.ts')];

interface UpReady {
  ok: true;
  natsUrl: string;
  natsPid: number;
  nodePid: number;
  sessionId: string;
  sessionFile: string;
  bridge: string[];
  sessionsServed: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('trustmesh up (the embedded default behind npm start)', () => {
  let dir: string;
  let up: ChildProcess;
  let ready: UpReady;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trustmesh-up-'));
    up = spawn(CLI[0]!, [...CLI.slice(1), 'up', '--dir', dir, '--json'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: up.stdout! }).once('line', resolve);
      up.once('exit', (code) => reject(new Error(`trustmesh up exited early with ${code}`)));
    });
    ready = JSON.parse(line) as UpReady;
  });

  afterAll(async () => {
    if (up.exitCode === null) up.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('starts nats-server and a mesh node serving one demo session, and writes a private session file', async () => {
    expect(ready).toMatchObject({ ok: true, sessionsServed: 1 });
    expect(ready.natsUrl).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.sessionId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(alive(ready.natsPid) && alive(ready.nodePid)).toBe(true);
    expect((await stat(ready.sessionFile)).mode & 0o077).toBe(0);
  });

  it('serves the demo MCP server to a stdio MCP client through the printed bridge command', async () => {
    const [command, ...args] = ready.bridge;
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: command!, args, stderr: 'inherit' }));
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(['echo', 'list_notes', 'read_note']);
      const result = await client.callTool({ name: 'echo', arguments: { text: 'through the mesh' } });
      expect(result.content).toEqual([{ type: 'text', text: 'through the mesh' }]);
    } finally {
      await client.close();
    }
  });

  it('stops nats-server and the node on SIGTERM and exits 0', async () => {
    const exited = new Promise<number | null>((resolve) => up.once('exit', (code) => resolve(code)));
    up.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(alive(ready.natsPid)).toBe(false);
    expect(alive(ready.nodePid)).toBe(false);
  });
});
