import type { ChildProcess } from 'node:child_process';

/**
 * Makes sure no nats-server outlives the program that started it. Children are killed synchronously
 * on 'exit'. On SIGINT/SIGTERM/SIGHUP, if the host program has its own handler we leave shutdown to it
 * (the 'exit' hook still runs); otherwise we kill the children and re-raise the signal, so the
 * program dies from it exactly as it would have without us.
 */
const live = new Set<ChildProcess>();
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

/** Tracks `child` until it exits. */
export function reapOnExit(child: ChildProcess): void {
  install();
  live.add(child);
  child.once('exit', () => live.delete(child));
}

function killAll(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone: nothing left to clean up.
    }
  }
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  killAll();
  for (const forwarded of FORWARDED_SIGNALS) process.removeListener(forwarded, onSignal);
  process.removeListener('exit', killAll);
  installed = false;
  process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, onSignal);
}
