import type { PolicyBundle } from '../compile/bundle.js';
import { loadPolicy } from '../compile/load.js';
import { formatIssue, PolicyValidationError } from '../issues.js';

/** What a policy command produced: the CLI prints `stdout` and exits with `exitCode`. */
export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
}

export const ExitCode = { Ok: 0, Failed: 1, Usage: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export function json(value: unknown, exitCode: number): CommandResult {
  return { exitCode, stdout: `${JSON.stringify(value, null, 2)}\n` };
}

/** Loads a bundle, or the command result that reports why it could not be loaded. */
export async function loadOrReport(
  paths: string | readonly string[],
  asJson: boolean,
): Promise<{ bundle: PolicyBundle } | { result: CommandResult }> {
  try {
    return { bundle: await loadPolicy(paths) };
  } catch (err) {
    if (!(err instanceof PolicyValidationError)) throw err;
    if (asJson) return { result: json({ ok: false, issues: err.issues }, ExitCode.Failed) };
    const lines = err.issues.map((i) => `  ${formatIssue(i)}`);
    const head = `policy is invalid (${err.issues.length} ${err.issues.length === 1 ? 'problem' : 'problems'}):`;
    return {
      result: {
        exitCode: ExitCode.Failed,
        stdout: `${[head, ...lines, 'Fix these and run the command again.'].join('\n')}\n`,
      },
    };
  }
}
