import type { NatsConnection } from '@nats-io/transport-node';
import { type Clock, systemClock } from '../clock.js';
import type { EnvelopeLimits, HandshakeOptions } from './envelope/index.js';
import type { KeyResolver, SigningKey } from './envelope/types.js';
import { TransportOptionsError } from './errors.js';
import { DEFAULT_PREFIX, type SessionSubjects, sessionSubjects } from './subjects.js';

/** Tools can run for minutes; MCP progress notifications flow meanwhile. Long, but never forever. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** Where the mesh end's replies arrive; nats.js's own default. */
export const DEFAULT_SERVER_INBOX_PREFIX = '_INBOX';
// setTimeout's ceiling; a longer delay would fire at once.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** What both ends need. */
export interface NatsTransportOptions {
  /** The NATS connection; the caller owns it: closing the transport never closes it. */
  nc: NatsConnection;
  /** The trustmesh session id: one safe NATS subject token (see `newSessionId()`). */
  sid: string;
  /** This end's long-term key; it signs the handshake. */
  identity: SigningKey;
  /** The keys this end accepts from the far end's handshake. */
  trust: KeyResolver;
  /** Subject prefix of the session's subjects. @default 'tm' */
  prefix?: string;
  /** How long a request this end sends waits for its answer, in ms. @default 120_000 */
  requestTimeoutMs?: number;
  /** Time source of envelope timestamps and skew checks. @default systemClock */
  clock?: Clock;
  /** Limits on the envelopes this end accepts (body size, clock skew, replay window). @default the codec's */
  limits?: EnvelopeLimits;
}

/**
 * The agent end. Open `nc` with `sessionConnectOptions(prefix, sid)` spread into `connect()`: the
 * session's credentials let it receive replies only below that inbox prefix.
 */
export interface NatsClientTransportOptions extends NatsTransportOptions {
  /** How long `start()` waits for the mesh to answer the handshake, in ms. @default 10_000 */
  handshakeTimeoutMs?: number;
}

/** The mesh end, serving one session from an SDK `Server` (or the session actor). */
export interface NatsServerTransportOptions extends NatsTransportOptions {
  /** Prefix of the inbox where the agent's answers to server→agent requests arrive. @default '_INBOX' */
  inboxPrefix?: string;
}

export interface ParsedTransportOptions {
  nc: NatsConnection;
  sid: string;
  identity: SigningKey;
  trust: KeyResolver;
  subjects: SessionSubjects;
  requestTimeoutMs: number;
  handshake: HandshakeOptions;
}

export interface ParsedClientOptions extends ParsedTransportOptions {
  handshakeTimeoutMs: number;
}

export interface ParsedServerOptions extends ParsedTransportOptions {
  inboxPrefix: string;
}

export function parseClientOptions(options: NatsClientTransportOptions): ParsedClientOptions {
  return {
    ...parseCommon(options),
    handshakeTimeoutMs: timeout(
      'handshakeTimeoutMs',
      options.handshakeTimeoutMs,
      DEFAULT_HANDSHAKE_TIMEOUT_MS,
    ),
  };
}

export function parseServerOptions(options: NatsServerTransportOptions): ParsedServerOptions {
  const inboxPrefix = options.inboxPrefix ?? DEFAULT_SERVER_INBOX_PREFIX;
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(inboxPrefix)) {
    throw new TransportOptionsError(
      `inboxPrefix ${JSON.stringify(inboxPrefix)} is not a literal NATS subject; use tokens of letters, digits, '-' and '_'.`,
    );
  }
  return { ...parseCommon(options), inboxPrefix };
}

function parseCommon(options: NatsTransportOptions): ParsedTransportOptions {
  if (!options?.nc) throw new TransportOptionsError('nc is missing; pass a connected NatsConnection.');
  if (typeof options.identity?.sign !== 'function' || !options.identity.kid) {
    throw new TransportOptionsError(
      'identity is missing; pass this end’s SigningKey (see generateKeyPair()).',
    );
  }
  if (typeof options.trust?.get !== 'function') {
    throw new TransportOptionsError(
      'trust is missing; pass a KeyResolver (e.g. a KeyRing) of the far end’s keys.',
    );
  }
  return {
    nc: options.nc,
    sid: options.sid,
    identity: options.identity,
    trust: options.trust,
    subjects: sessionSubjects(options.prefix ?? DEFAULT_PREFIX, options.sid),
    requestTimeoutMs: timeout('requestTimeoutMs', options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS),
    handshake: { clock: options.clock ?? systemClock, ...(options.limits ? { limits: options.limits } : {}) },
  };
}

function timeout(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > MAX_TIMEOUT_MS) {
    throw new TransportOptionsError(
      `${name} is ${value}; use a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}.`,
    );
  }
  return value;
}
