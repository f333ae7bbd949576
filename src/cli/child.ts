import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { TrustmeshError } from '../errors.js';

export class ChildStartError extends TrustmeshError {
  constructor(message: string) {
    super('ERR_CHILD_START', message);
  }
}

/** The argv that runs this same trustmesh (same Node, loader flags and entry script). */
export function selfCommand(): string[] {
  const entry = process.argv[1];
  if (!entry)
    throw new ChildStartError('cannot tell which script started trustmesh; run it through bin/trustmesh.js.');
  return [process.execPath, ...process.execArgv, entry];
}

export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * Starts another trustmesh command as a child process (same Node, same loader flags, same entry
 * script) and resolves once it prints its JSON ready line on stdout.
 */
export async function spawnTrustmesh(
  args: readonly string[],
  options: { readyTimeoutMs?: number; onStderr?: (line: string) => void } = {},
): Promise<{ child: ChildProcess; ready: Record<string, unknown> }> {
  const [node, ...prefix] = selfCommand();
  const child = spawn(node!, [...prefix, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderrTail: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 20) stderrTail.shift();
    options.onStderr?.(line);
  });
  // Generous: a child on a busy host spends seconds loading modules and opening its KV buckets, and
  // this only catches one that hung; progress is on the parent's stderr meanwhile.
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new ChildStartError(`'trustmesh ${args.join(' ')}' ${why}.\n${stderrTail.join('\n')}`));
    };
    const timer = setTimeout(() => fail(`did not become ready within ${timeoutMs} ms`), timeoutMs);
    // 'close' comes after every 'line', so a child that prints its line and exits is not a failure.
    const onClose = () =>
      fail(`exited before it was ready (code ${child.exitCode}, signal ${child.signalCode})`);
    lines.once('close', onClose);
    lines.once('line', (line) => {
      clearTimeout(timer);
      lines.off('close', onClose);
      try {
        resolve(JSON.parse(line) as Record<string, unknown>);
      } catch {
        fail(`printed '${line}' instead of its ready line`);
      }
    });
  });
  return { child, ready };
}

/** Resolves on the first of SIGINT/SIGTERM, so a foreground command can shut down in order. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** Stops a child with SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
