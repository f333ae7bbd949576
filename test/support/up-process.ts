import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** `trustmesh` from this checkout, through tsx, as the e2e tests run it. */
export const CLI = [process.execPath, '--import', 'tsx', join(import.meta.dirname, '../../src/cli/run.ts')];

/** Starts `trustmesh up --dir <dir> --json <args>` and resolves with its parsed ready line. */
export async function startUp<Ready>(
  dir: string,
  args: readonly string[] = [],
): Promise<{ up: ChildProcess; line: string; ready: Ready }> {
  const up = spawn(CLI[0]!, [...CLI.slice(1), 'up', '--dir', dir, '--json', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: up.stdout! }).once('line', resolve);
    up.once('exit', (code) => reject(new Error(`trustmesh up exited early with ${code}`)));
  });
  return { up, line, ready: JSON.parse(line) as Ready };
}

/** Stops a running `up` with SIGTERM and waits until it exited. */
export async function stopUp(up: ChildProcess): Promise<void> {
  if (up.exitCode !== null) return;
  const exited = new Promise((resolve) => up.once('exit', resolve));
  up.kill('SIGTERM');
  await exited;
}
