import { TrustmeshError } from '../errors.js';

/** Where a command writes: stdout for results, stderr for progress, so `--json` output stays clean. */
export interface Output {
  json: boolean;
  /** A progress line for people (stderr; silent with --json). */
  progress(line: string): void;
  /** The command's result: a human text, or the JSON object with --json (one line on stdout). */
  result(human: string, data: unknown): void;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    progress: (line) => {
      if (!json) process.stderr.write(`${line}\n`);
    },
    result: (human, data) => {
      process.stdout.write(json ? `${JSON.stringify(data)}\n` : `${human}\n`);
    },
  };
}

/** Turns any failure into a message that says what happened and what to do next; returns the exit code. */
export function reportFailure(err: unknown, json: boolean): number {
  const known = err instanceof TrustmeshError;
  const code = known ? err.code : 'ERR_INTERNAL';
  const message = known
    ? err.message
    : `unexpected internal error: ${err instanceof Error ? err.message : String(err)}. ` +
      'Please report it with the command you ran.';
  if (json) process.stdout.write(`${JSON.stringify({ ok: false, code, message })}\n`);
  else process.stderr.write(`trustmesh: ${message} [${code}]\n`);
  return 1;
}
