import { isAbsolute, resolve } from 'node:path';
import { type Clock, systemClock } from '../../clock.js';
import { NatsAuthOptionsError } from './errors.js';

export interface NatsAuthorityOptions {
  /** Directory of the operator and account keys, JWTs and revocations; created with mode 0700. */
  stateDir: string;
  /**
   * Longest lifetime of any user JWT (session, node, broker). Revocations are kept this long, after
   * which every JWT they could match has expired. @default 86_400_000 (24 h)
   */
  maxUserTtlMs?: number;
  /** How long a user may take to answer a request it received (its response permission). @default 600_000 */
  responseTtlMs?: number;
  /** Most subscriptions one session's connection may hold. @default 64 */
  sessionMaxSubscriptions?: number;
  /** Enable JetStream in the mesh account (KV buckets, streams). @default true */
  jetstream?: boolean;
  /** How long pushing an account JWT to nats-server waits for its answer. @default 5_000 */
  pushTimeoutMs?: number;
  /** Time source of `iat`, default expiries and revocation times. @default systemClock */
  clock?: Clock;
}

export type ParsedNatsAuthorityOptions = Required<NatsAuthorityOptions>;

export const DEFAULT_MAX_USER_TTL_MS = 86_400_000;
/** Covers the transport's two-minute request timeout with room for a human answering an elicitation. */
export const DEFAULT_RESPONSE_TTL_MS = 600_000;
export const DEFAULT_SESSION_MAX_SUBSCRIPTIONS = 64;
export const DEFAULT_PUSH_TIMEOUT_MS = 5_000;

/** Applies defaults and rejects values nats-server or the authority could not honour. */
export function parseNatsAuthorityOptions(options: NatsAuthorityOptions): ParsedNatsAuthorityOptions {
  if (typeof options?.stateDir !== 'string' || options.stateDir === '') {
    fail('stateDir is required: give the directory where the operator and account keys are kept.');
  }
  const parsed: ParsedNatsAuthorityOptions = {
    stateDir: isAbsolute(options.stateDir) ? options.stateDir : resolve(options.stateDir),
    maxUserTtlMs: options.maxUserTtlMs ?? DEFAULT_MAX_USER_TTL_MS,
    responseTtlMs: options.responseTtlMs ?? DEFAULT_RESPONSE_TTL_MS,
    sessionMaxSubscriptions: options.sessionMaxSubscriptions ?? DEFAULT_SESSION_MAX_SUBSCRIPTIONS,
    jetstream: options.jetstream ?? true,
    pushTimeoutMs: options.pushTimeoutMs ?? DEFAULT_PUSH_TIMEOUT_MS,
    clock: options.clock ?? systemClock,
  };
  for (const key of ['maxUserTtlMs', 'responseTtlMs', 'pushTimeoutMs'] as const) {
    if (!Number.isSafeInteger(parsed[key]) || parsed[key] < 1_000) {
      fail(
        `${key} must be a whole number of milliseconds, at least 1000 (NATS counts in seconds); got ${parsed[key]}.`,
      );
    }
  }
  // The agent's own subscriptions: its session subjects, its inbox and the request multiplexer.
  if (!Number.isSafeInteger(parsed.sessionMaxSubscriptions) || parsed.sessionMaxSubscriptions < 3) {
    fail(`sessionMaxSubscriptions must be an integer of at least 3; got ${parsed.sessionMaxSubscriptions}.`);
  }
  if (typeof parsed.clock !== 'function') fail('clock must be a function returning epoch milliseconds.');
  return parsed;
}

function fail(message: string): never {
  throw new NatsAuthOptionsError(`Invalid NATS authority options: ${message}`);
}
