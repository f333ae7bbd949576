import { isAbsolute, resolve } from 'node:path';
import { NatsServerOptionsError } from './errors.js';
import { defaultNatsServerBinary } from './provision.js';

/** Routes between the nodes of one nats-server cluster. */
export interface NatsClusterOptions {
  /** Cluster name; every node of one cluster must use the same. */
  name: string;
  /** Route listen port; 0 picks a free one (other nodes then cannot know it up front). */
  port: number;
  /** Route URLs of the other nodes (`nats-route://host:port`, or `host:port`). */
  routes: string[];
}

export interface NatsServerOptions {
  /** Working directory: config file, JetStream store, log and pid file. Created when missing. */
  dir: string;
  /** Address every listener binds to. @default '127.0.0.1' (loopback only) */
  host?: string;
  /** Client port; 0 picks a free one, kept across restart(). @default 0 */
  port?: number;
  /** HTTP monitoring port (readiness is read from it); 0 picks a free one. @default 0 */
  monitorPort?: number;
  /** Enable JetStream with its store inside `dir`. @default true */
  jetstream?: boolean;
  /** Server name; must stay the same across restarts for JetStream clustering. @default `trustmesh-<port>` */
  serverName?: string;
  /** Join a cluster with routes. @default undefined (standalone) */
  cluster?: NatsClusterOptions;
  /** Largest message payload in bytes. @default 1_048_576 */
  maxPayload?: number;
  /** Raw nats-server config text appended to the generated file (TLS, operator mode, …). @default '' */
  extraConfig?: string;
  /** nats-server executable. @default $TRUSTMESH_NATS_SERVER or 'nats-server' from PATH */
  binary?: string;
  /** How long to wait for the server to report healthy. @default 10_000 */
  readyTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before it sends SIGKILL. @default 5_000 */
  stopTimeoutMs?: number;
  /** Delete `dir` once stop() has ended the server (throwaway servers); kill() keeps it. @default false */
  removeDirOnStop?: boolean;
  /** Receives every line nats-server logs. @default undefined */
  onLog?: (line: string) => void;
}

export type ResolvedNatsServerOptions = Required<
  Omit<NatsServerOptions, 'cluster' | 'serverName' | 'onLog'>
> &
  Pick<NatsServerOptions, 'cluster' | 'serverName' | 'onLog'>;

export const DEFAULT_NATS_HOST = '127.0.0.1';
export const DEFAULT_MAX_PAYLOAD = 1_048_576;
export const DEFAULT_READY_TIMEOUT_MS = 10_000;
export const DEFAULT_STOP_TIMEOUT_MS = 5_000;

/** Applies defaults and rejects options nats-server would refuse or that contradict each other. */
export function parseNatsServerOptions(options: NatsServerOptions): ResolvedNatsServerOptions {
  if (!options.dir) fail('dir is required: give the directory for the config, JetStream store and log.');
  const resolved: ResolvedNatsServerOptions = {
    dir: isAbsolute(options.dir) ? options.dir : resolve(options.dir),
    host: options.host ?? DEFAULT_NATS_HOST,
    port: options.port ?? 0,
    monitorPort: options.monitorPort ?? 0,
    jetstream: options.jetstream ?? true,
    serverName: options.serverName,
    cluster: options.cluster,
    maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
    extraConfig: options.extraConfig ?? '',
    binary: options.binary ?? defaultNatsServerBinary(),
    readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    stopTimeoutMs: options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS,
    removeDirOnStop: options.removeDirOnStop ?? false,
    onLog: options.onLog,
  };
  checkPort('port', resolved.port);
  checkPort('monitorPort', resolved.monitorPort);
  if (resolved.serverName !== undefined && !/^[\w.-]+$/.test(resolved.serverName))
    fail(`serverName '${resolved.serverName}' may only hold letters, digits, '_', '.' and '-'.`);
  if (resolved.cluster) {
    const { name, port, routes } = resolved.cluster;
    if (!/^[\w.-]+$/.test(name))
      fail(`cluster.name '${name}' may only hold letters, digits, '_', '.' and '-'.`);
    checkPort('cluster.port', port);
    const bad = routes.find((route) => !/^([a-z-]+:\/\/)?\S+:\d+$/.test(route));
    if (bad !== undefined) fail(`cluster route '${bad}' is not 'nats-route://host:port' or 'host:port'.`);
    const clashes = [resolved.port, resolved.monitorPort].filter((p) => p !== 0 && p === port);
    if (clashes.length > 0)
      fail(`cluster.port ${port} is also used by another listener: pick distinct ports.`);
  }
  if (resolved.port !== 0 && resolved.port === resolved.monitorPort)
    fail(`port and monitorPort are both ${resolved.port}: pick distinct ports.`);
  if (
    !Number.isInteger(resolved.maxPayload) ||
    resolved.maxPayload < 1 ||
    resolved.maxPayload > 64 * 1_048_576
  )
    fail(`maxPayload ${resolved.maxPayload} must be an integer between 1 byte and 64 MiB.`);
  for (const key of ['readyTimeoutMs', 'stopTimeoutMs'] as const) {
    if (!(resolved[key] > 0)) fail(`${key} must be a positive number of milliseconds, got ${resolved[key]}.`);
  }
  return resolved;
}

function checkPort(name: string, port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    fail(`${name} ${port} is not a TCP port: use 0 (pick a free one) or 1–65535.`);
}

function fail(message: string): never {
  throw new NatsServerOptionsError(`Invalid nats-server options: ${message}`);
}
