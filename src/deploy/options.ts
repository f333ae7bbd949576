import { isAbsolute, resolve } from 'node:path';
import { TrustmeshError } from '../errors.js';
import { assertPrefix, DEFAULT_PREFIX } from '../transport/index.js';

export class DeployOptionsError extends TrustmeshError {
  constructor(message: string) {
    super('ERR_DEPLOY_OPTIONS', message);
  }
}

/** Where one nats-server of the cluster listens; its mesh node runs on the same host. */
export interface DeployHost {
  /** IP address or DNS name the servers bind and the peers dial; it goes into the certificate SANs. */
  host: string;
  /** @default 4222 */
  clientPort?: number;
  /** @default 6222 */
  clusterPort?: number;
  /** @default 8222 */
  monitorPort?: number;
}

export interface DeployOptions {
  /** The mesh PKI directory (`trustmesh pki init`); its intermediate CA issues every leaf. */
  pkiDir: string;
  /** The NATS operator authority directory; created on first use. */
  authDir: string;
  /** Where the rendered files are written. */
  out: string;
  /** Where `out` will live on the hosts; every path in the configs starts there. @default out */
  root?: string;
  /** One entry per nats-server + mesh node pair, named nats-1…, node-1… in this order. */
  hosts: readonly DeployHost[];
  /** MCP servers that get a broker identity (creds, certificate, env file). @default [] */
  brokers?: readonly string[];
  /** @default 'trustmesh' */
  clusterName?: string;
  /** @default 'tm' */
  prefix?: string;
  /** Lifetime of every certificate and NATS user issued: re-render before it ends. @default 24 h */
  ttlMs?: number;
  /** OTLP/HTTP endpoint written into every env file (`OTEL_EXPORTER_OTLP_ENDPOINT`). @default none */
  otlpEndpoint?: string;
}

export interface ResolvedHost extends Required<DeployHost> {
  readonly index: number;
  readonly server: string;
  readonly node: string;
}

export interface ResolvedDeployOptions {
  readonly pkiDir: string;
  readonly authDir: string;
  readonly out: string;
  readonly root: string;
  readonly hosts: readonly ResolvedHost[];
  readonly brokers: readonly string[];
  readonly clusterName: string;
  readonly prefix: string;
  readonly ttlMs: number;
  readonly otlpEndpoint: string | undefined;
}

export const DEFAULT_DEPLOY_PORTS = { client: 4222, cluster: 6222, monitor: 8222 } as const;
export const DEFAULT_DEPLOY_TTL_MS = 86_400_000;
const NAME = /^[A-Za-z0-9_-]+$/;

export function parseDeployOptions(options: DeployOptions): ResolvedDeployOptions {
  for (const key of ['pkiDir', 'authDir', 'out'] as const) {
    if (!options[key]) fail(`${key} is required.`);
  }
  if (!Array.isArray(options.hosts) || options.hosts.length === 0) fail('give at least one host.');
  const hosts = options.hosts.map((h, index) => ({
    host: h.host,
    clientPort: h.clientPort ?? DEFAULT_DEPLOY_PORTS.client,
    clusterPort: h.clusterPort ?? DEFAULT_DEPLOY_PORTS.cluster,
    monitorPort: h.monitorPort ?? DEFAULT_DEPLOY_PORTS.monitor,
    index,
    server: `nats-${index + 1}`,
    node: `node-${index + 1}`,
  }));
  const bound = new Set<string>();
  for (const h of hosts) {
    if (!/^[A-Za-z0-9.:-]+$/.test(h.host)) fail(`host '${h.host}' is not an IP address or DNS name.`);
    for (const port of [h.clientPort, h.clusterPort, h.monitorPort]) {
      if (!Number.isInteger(port) || port < 1 || port > 65_535)
        fail(`port ${port} of ${h.host} is not 1–65535.`);
      const key = `${h.host}:${port}`;
      if (bound.has(key)) fail(`${key} is used twice: give servers on one host distinct ports.`);
      bound.add(key);
    }
  }
  const brokers = [...(options.brokers ?? [])];
  const bad = brokers.find((b) => !NAME.test(b));
  if (bad !== undefined) fail(`broker '${bad}' must be one server name (letters, digits, - and _).`);
  const clusterName = options.clusterName ?? 'trustmesh';
  if (!NAME.test(clusterName)) fail(`cluster name '${clusterName}' may hold only letters, digits, - and _.`);
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  assertPrefix(prefix);
  const ttlMs = options.ttlMs ?? DEFAULT_DEPLOY_TTL_MS;
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 60_000)
    fail('the certificate and creds lifetime must be a minute or more.');
  const out = resolve(options.out);
  const root = options.root ?? out;
  const otlpEndpoint = options.otlpEndpoint;
  if (otlpEndpoint !== undefined && !/^https?:\/\/\S+$/.test(otlpEndpoint))
    fail(`OTLP endpoint '${otlpEndpoint}' is not an http(s) URL.`);
  if (!isAbsolute(root)) fail(`root '${root}' must be an absolute path (where the files live on the hosts).`);
  return {
    pkiDir: resolve(options.pkiDir),
    authDir: resolve(options.authDir),
    out,
    root,
    hosts,
    brokers,
    clusterName,
    prefix,
    ttlMs,
    otlpEndpoint,
  };
}

function fail(message: string): never {
  throw new DeployOptionsError(`Cannot render the deployment: ${message}`);
}
