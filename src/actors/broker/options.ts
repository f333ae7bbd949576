import { basename } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import type { RetryOptions } from '../../../statecharts/index.js';
import type { Clock } from '../../clock.js';
import { systemClock } from '../../clock.js';
import type { MeshIdentity, MeshTrust } from '../../pki/signer/index.js';
import { assertPrefix, DEFAULT_PREFIX } from '../../transport/index.js';
import { DEFAULT_NONCE_CACHE_ENTRIES, isServerName } from '../capability/index.js';
import { BrokerError, BrokerErrorCode } from './errors.js';
import type { PinStore } from './pin-store.js';

/** A server spawned as a child process, from an argument array: no shell ever parses it. */
export interface StdioUpstream {
  readonly kind: 'stdio';
  readonly command: string;
  readonly args?: readonly string[];
  /** Added to the SDK's minimal inherited environment (HOME, PATH, …). */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

/** A server reached by Streamable HTTP. */
export interface HttpUpstream {
  readonly kind: 'http';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export type Upstream = StdioUpstream | HttpUpstream;

export interface BrokerOptions {
  readonly connection: NatsConnection;
  /** Tools are published as `<server>.<tool>`; one safe subject token. */
  readonly server: string;
  readonly upstream: Upstream;
  /** The broker's certificate (kind broker, named after `server`) and key: it signs every answer. */
  readonly identity: MeshIdentity;
  /** Checks the node certificates that sign capabilities (mesh CA, revocation list). */
  readonly trust: MeshTrust;
  readonly pinStore: PinStore;
  /** Basenames of the commands a stdio upstream may run. @default [] (no stdio server may run) */
  readonly allowedCommands?: readonly string[];
  /** Subject prefix. @default 'tm' */
  readonly prefix?: string;
  /** Largest result forwarded, as encoded; never above the NATS server's max_payload. @default 4 MiB */
  readonly maxResponseBytes?: number;
  /** How long a call may take upstream. @default 60_000 */
  readonly callTimeoutMs?: number;
  /** How long connecting and listing may take. @default 30_000 */
  readonly connectTimeoutMs?: number;
  /** Pin the first clean listing without an operator (trust on first use). @default true */
  readonly pinOnFirstUse?: boolean;
  /** Reconnect backoff. @default the broker statechart's (500 ms doubling to 30 s, 8 attempts) */
  readonly retry?: Partial<RetryOptions>;
  /** How long `drain()` waits for in-flight calls. @default 30_000 */
  readonly drainTimeoutMs?: number;
  /** Most unexpired capabilities remembered against replay. @default 100_000 */
  readonly nonceCacheEntries?: number;
  /** @default systemClock */
  readonly clock?: Clock;
}

export type ParsedBrokerOptions = Required<Omit<BrokerOptions, 'retry' | 'drainTimeoutMs'>> &
  Pick<BrokerOptions, 'retry' | 'drainTimeoutMs'>;

export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
export const DEFAULT_CALL_TIMEOUT_MS = 60_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

/** Fills defaults and rejects what cannot work; a disallowed command fails here, before any spawn. */
export function parseBrokerOptions(options: BrokerOptions): ParsedBrokerOptions {
  if (!isServerName(options.server)) {
    throw new BrokerError(
      BrokerErrorCode.InvalidServerName,
      `The server name ${JSON.stringify(options.server)} is not one safe subject token; name it with 1 to 64 letters, digits, '-' or '_' (no dots: tools are published as <server>.<tool>).`,
    );
  }
  const { kind, name } = options.identity ?? {};
  if (kind !== 'broker' || name !== options.server) {
    invalid(
      `identity is the ${kind} certificate of ${JSON.stringify(name)}; sessions accept answers for ${JSON.stringify(options.server)} only from a broker certificate issued for it (trustmesh pki issue --kind broker --name ${options.server})`,
    );
  }
  if (!options.trust) invalid('trust is missing; pass a MeshTrust over the mesh CA and revocation list');
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  assertPrefix(prefix);
  const allowedCommands = options.allowedCommands ?? [];
  checkUpstream(options.upstream, allowedCommands);
  return {
    ...options,
    allowedCommands,
    prefix,
    maxResponseBytes: positive('maxResponseBytes', options.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES),
    callTimeoutMs: positive('callTimeoutMs', options.callTimeoutMs, DEFAULT_CALL_TIMEOUT_MS),
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS),
    pinOnFirstUse: options.pinOnFirstUse ?? true,
    nonceCacheEntries: positive('nonceCacheEntries', options.nonceCacheEntries, DEFAULT_NONCE_CACHE_ENTRIES),
    clock: options.clock ?? systemClock,
  };
}

function checkUpstream(upstream: Upstream, allowedCommands: readonly string[]): void {
  if (upstream.kind === 'http') {
    const url = URL.canParse(upstream.url) ? new URL(upstream.url) : undefined;
    if (url === undefined) invalid(`upstream.url ${JSON.stringify(upstream.url)} is not a URL`);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      invalid(`upstream.url must be http: or https:, got ${url.protocol}`);
    }
    return;
  }
  const name = basename(upstream.command);
  if (upstream.command.length === 0 || !allowedCommands.includes(name)) {
    throw new BrokerError(
      BrokerErrorCode.CommandNotAllowed,
      `The command ${JSON.stringify(upstream.command)} is not on the broker's allowlist (${allowedCommands.length === 0 ? 'empty' : allowedCommands.join(', ')}); add ${JSON.stringify(name)} to allowedCommands if this server is meant to run.`,
    );
  }
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isSafeInteger(value) && value > 0)) invalid(`${name} is ${value}; set a positive integer`);
  return value;
}

function invalid(problem: string): never {
  throw new BrokerError(BrokerErrorCode.InvalidOptions, `Broker options: ${problem}.`);
}
