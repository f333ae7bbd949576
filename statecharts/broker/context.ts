import { StatechartInputError } from '../errors.js';
import type { Quarantine } from './events.js';

export interface RetryOptions {
  /** First retry delay. @default 500 */
  readonly baseMs: number;
  /** Largest retry delay. @default 30_000 */
  readonly maxMs: number;
  /** Fraction of each delay taken off at random, in [0, 1]. @default 0.5 */
  readonly jitter: number;
  /** Consecutive failures after which the broker stays failed until an operator retries. @default 8 */
  readonly maxAttempts: number;
}

export interface BrokerInput {
  /** The server name tools are prefixed with (`server.tool`). */
  readonly server: string;
  readonly retry?: Partial<RetryOptions>;
  /** How long draining waits for in-flight calls before stopping anyway. @default 30_000 */
  readonly drainTimeoutMs?: number;
}

export interface BrokerContext {
  readonly server: string;
  readonly retry: RetryOptions;
  readonly drainTimeoutMs: number;
  /** Consecutive failures since the last successful connect. */
  readonly attempt: number;
  readonly lastError: string | null;
  readonly quarantine: Quarantine | null;
}

export const DEFAULT_RETRY: RetryOptions = { baseMs: 500, maxMs: 30_000, jitter: 0.5, maxAttempts: 8 };
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;

function fail(field: string, problem: string): never {
  throw new StatechartInputError(
    `broker input: ${field} ${problem}; fix the broker options and start it again`,
  );
}

function checkPositive(field: string, value: number): void {
  if (!(Number.isSafeInteger(value) && value > 0)) fail(field, `must be a positive integer, got ${value}`);
}

/** Validates the input and fills defaults; throws `StatechartInputError` naming the field at fault. */
export function initialBrokerContext(input: BrokerInput): BrokerContext {
  if (typeof input.server !== 'string' || input.server.length === 0) fail('server', 'must be non-empty');
  const retry = { ...DEFAULT_RETRY, ...input.retry };
  checkPositive('retry.baseMs', retry.baseMs);
  checkPositive('retry.maxMs', retry.maxMs);
  checkPositive('retry.maxAttempts', retry.maxAttempts);
  if (retry.maxMs < retry.baseMs) fail('retry.maxMs', `must be at least retry.baseMs (${retry.baseMs})`);
  if (!(retry.jitter >= 0 && retry.jitter <= 1))
    fail('retry.jitter', `must be in [0, 1], got ${retry.jitter}`);
  const drainTimeoutMs = input.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  checkPositive('drainTimeoutMs', drainTimeoutMs);
  return { server: input.server, retry, drainTimeoutMs, attempt: 0, lastError: null, quarantine: null };
}

/**
 * Exponential backoff with jitter for the `attempt`-th consecutive failure (1-based): `baseMs · 2^(attempt-1)`,
 * capped at `maxMs`, minus up to `jitter` of it at random so replicas do not reconnect in lockstep.
 */
export function backoffDelay(attempt: number, retry: RetryOptions, random: number): number {
  const exponential = Math.min(retry.maxMs, retry.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (1 - retry.jitter * random));
}
