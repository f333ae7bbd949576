import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `up` starts nats-server, a node, a broker and a session through tsx: slow on a loaded 2-core machine.
const UP_READY_MS = 120_000;

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../../..');
const CLI = [process.execPath, '--import', 'tsx', join(ROOT, 'src/cli/run.ts')];
const INSPECTOR = join(ROOT, 'node_modules/@modelcontextprotocol/inspector/cli/build/cli.js');

/**
 * The seed's code-review example end to end, driven by a published MCP client: the MCP Inspector
 * CLI launches `trustmesh bridge`, which reaches the session actor over NATS; the session actor
 * decides every call and sends the allowed ones to the broker in front of the official filesystem
 * server over the demo workspace. Every invocation is a new client process on the same session.
 */
describe('the seed code-review session through the MCP Inspector CLI', () => {
  let dir: string;
  let up: ChildProcess;
  let bridge: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trustmesh-inspector-'));
    up = spawn(CLI[0]!, [...CLI.slice(1), 'up', '--dir', dir, '--json'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: up.stdout! }).once('line', resolve);
      up.once('exit', (code) => reject(new Error(`trustmesh up exited early with ${code}`)));
    });
    bridge = (JSON.parse(line) as { bridge: string[] }).bridge;
  }, UP_READY_MS);

  afterAll(async () => {
    const exited = new Promise((resolve) => up.once('exit', resolve));
    up.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  });

  async function inspector(...args: string[]): Promise<{ ok: boolean; output: string }> {
    try {
      const { stdout } = await run(process.execPath, [INSPECTOR, '--cli', ...bridge, ...args], {
        timeout: 60_000,
      });
      return { ok: true, output: stdout };
    } catch (err) {
      const failure = err as { stdout?: string; stderr?: string };
      return { ok: false, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
    }
  }

  it('lists only the granted tools', async () => {
    const { ok, output } = await inspector('--method', 'tools/list');
    expect(ok).toBe(true);
    const names = (JSON.parse(output) as { tools: { name: string }[] }).tools.map((t) => t.name).sort();
    expect(names).toEqual(['filesystem.list_directory', 'filesystem.read_file', 'filesystem.read_text_file']);
  });

  it('allows reading a TypeScript source under src/', async () => {
    const { ok, output } = await inspector(
      '--method',
      'tools/call',
      '--tool-name',
      'filesystem.read_text_file',
      '--tool-arg',
      'path=src/util/greet.ts',
    );
    expect(ok).toBe(true);
    expect(output).toContain('export function greet');
  });

  // Path tricks are covered exhaustively by the policy tests; two cases prove the wiring here.
  it.each([['.env'], ['src/%2e%2e/config/secrets.json']])(
    'denies reading %s, naming the rule',
    async (path) => {
      const { output } = await inspector(
        '--method',
        'tools/call',
        '--tool-name',
        'filesystem.read_text_file',
        '--tool-arg',
        `path=${path}`,
      );
      expect(output).toMatch(/DENY_EXCLUDED/);
      expect(output).toMatch(/demo\.yaml:\d+/);
      expect(output).not.toContain('not-a-real-password');
      expect(output).not.toContain('never-leave');
    },
  );

  it('denies writing', async () => {
    const { output } = await inspector(
      '--method',
      'tools/call',
      '--tool-name',
      'filesystem.write_file',
      '--tool-arg',
      'path=src/evil.ts',
      '--tool-arg',
      'content=x',
    );
    expect(output).toMatch(/DENY_/);
  });
});
