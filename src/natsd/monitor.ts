import { type Clock, systemClock } from '../clock.js';

const POLL_INTERVAL_MS = 50;
const REQUEST_TIMEOUT_MS = 1_000;

/**
 * GETs a nats-server monitoring endpoint (`/healthz`, `/routez`, `/jsz`, …). Resolves undefined when the
 * server does not answer within a second (starting, paused or gone), so pollers can simply retry.
 */
export async function readMonitor<T>(
  monitorUrl: string,
  path: string,
): Promise<{ ok: boolean; body: T } | undefined> {
  try {
    const response = await fetch(new URL(path, monitorUrl), {
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    return { ok: response.ok, body: (await response.json()) as T };
  } catch {
    return undefined;
  }
}

export interface PollOptions {
  timeoutMs: number;
  /** Stop early: checked before every attempt. */
  abandon?: () => boolean;
  clock?: Clock;
}

/** Calls `check` until it returns a value, the deadline passes or `abandon()` says so (then undefined). */
export async function pollUntil<T>(
  check: () => Promise<T | undefined>,
  options: PollOptions,
): Promise<T | undefined> {
  const clock = options.clock ?? systemClock;
  const deadline = clock() + options.timeoutMs;
  while (!options.abandon?.()) {
    const value = await check();
    if (value !== undefined) return value;
    if (clock() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  return undefined;
}
