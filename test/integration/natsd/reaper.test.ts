import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it, onTestFinished } from 'vitest';
import { pollUntil } from '../../../src/natsd/monitor.js';
import { isAlive } from './process.js';

const HOST = join(import.meta.dirname, 'fixtures', 'host.ts');

/** Runs the fixture host program and resolves with the pid of the nats-server it started. */
async function startHost(mode: 'exit' | 'wait'): Promise<{ host: ChildProcess; natsPid: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'trustmesh-nats-reaper-'));
  const host = spawn(process.execPath, ['--import', 'tsx', HOST, dir, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  onTestFinished(async () => {
    host.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });
  const [line] = (await once(createInterface({ input: host.stdout! }), 'line')) as [string];
  const { pid } = JSON.parse(line) as { pid: number };
  onTestFinished(() => {
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  });
  return { host, natsPid: pid };
}

const gone = (pid: number) => pollUntil(async () => (isAlive(pid) ? undefined : true), { timeoutMs: 5_000 });

describe('nats-server never outlives its host program', () => {
  it('is killed when the host exits normally', async () => {
    const { host, natsPid } = await startHost('exit');
    expect(isAlive(natsPid)).toBe(true);
    const [code] = await once(host, 'exit');
    expect(code).toBe(0);
    expect(await gone(natsPid)).toBe(true);
  });

  it('is killed on SIGTERM, and the host still dies from that signal', async () => {
    const { host, natsPid } = await startHost('wait');
    expect(isAlive(natsPid)).toBe(true);
    host.kill('SIGTERM');
    const [code, signal] = await once(host, 'exit');
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
    expect(await gone(natsPid)).toBe(true);
  });
});
