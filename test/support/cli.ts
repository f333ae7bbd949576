import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** `trustmesh` from source, run by this same Node through tsx. */
export const CLI = [process.execPath, '--import', 'tsx', join(import.meta.dirname, '../../src/cli/run.ts')];

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `trustmesh <args>` as a child process to completion; never rejects. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(CLI[0]!, [...CLI.slice(1), ...args], { env }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
