import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli/main.js';

const run = promisify(execFile);
// Starting the CLI through tsx takes 10-20 s on a loaded two-core machine.
const CLI_MS = 60_000;
const CLI = [
  process.execPath,
  '--import',
  'tsx',
  join(import.meta.dirname, '../../../src/cli/run.ts'),
] as const;

function allCommands(command: Command = buildProgram(), path: string[] = []): [string, Command][] {
  return command.commands.flatMap((sub) => {
    const subPath = [...path, sub.name()];
    return [[subPath.join(' '), sub] as [string, Command], ...allCommands(sub, subPath)];
  });
}

describe('trustmesh --help', () => {
  it(
    'prints usage and every command from the real binary',
    async () => {
      const { stdout } = await run(CLI[0], [...CLI.slice(1), '--help']);
      expect(stdout).toContain('Usage: trustmesh');
      for (const command of buildProgram().commands) expect(stdout).toContain(command.name());
    },
    CLI_MS,
  );

  it.each(allCommands())('%s describes itself and its options', (_, command) => {
    expect(command.description().length).toBeGreaterThan(10);
    const help = command.helpInformation();
    expect(help).toContain('Usage: trustmesh');
    expect(help).toContain('-h, --help');
  });

  it(
    'names what went wrong and what to do for an unknown command',
    async () => {
      const failure = await run(CLI[0], [...CLI.slice(1), 'nosuch']).catch((e) => e);
      expect(failure.code).toBe(1);
      expect(failure.stderr).toContain("unknown command 'nosuch'");
      expect(failure.stderr).toContain('--help');
    },
    CLI_MS,
  );
});
