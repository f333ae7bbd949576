import { join } from 'node:path';
import type { ResolvedNatsServerOptions } from './options.js';

/** The ports a server listens on, fixed before the first start so restarts and routes can rely on them. */
export interface NatsListenPorts {
  client: number;
  monitor: number;
  cluster?: number;
}

/** Files nats-server reads and writes inside its working directory. */
export const natsServerFiles = (dir: string) =>
  ({
    config: join(dir, 'nats-server.conf'),
    log: join(dir, 'nats-server.log'),
    pid: join(dir, 'nats-server.pid'),
    // nats-server appends `jetstream/` to store_dir itself.
    store: dir,
    // nats-server writes `<argv0>_<pid>.ports` into ports_file_dir once it listens.
    portsSuffix: (pid: number) => `_${pid}.ports`,
  }) as const;

/** Renders the nats-server configuration file for `options` listening on `ports`. */
export function renderNatsConfig(options: ResolvedNatsServerOptions, ports: NatsListenPorts): string {
  const { dir } = options;
  const files = natsServerFiles(dir);
  const lines = [
    '# Written by trustmesh on every start; edits here are overwritten.',
    `server_name: ${quote(serverNameFor(options, ports))}`,
    `listen: ${quote(hostPort(options.host, ports.client))}`,
    `http: ${quote(hostPort(options.host, ports.monitor))}`,
    `max_payload: ${options.maxPayload}`,
    `pid_file: ${quote(files.pid)}`,
    `ports_file_dir: ${quote(dir)}`,
  ];
  if (options.jetstream) lines.push(`jetstream { store_dir: ${quote(files.store)} }`);
  if (options.cluster && ports.cluster !== undefined) {
    const routes = options.cluster.routes.map((route) => quote(toRouteUrl(route))).join(', ');
    lines.push(
      'cluster {',
      `  name: ${quote(options.cluster.name)}`,
      `  listen: ${quote(hostPort(options.host, ports.cluster))}`,
      `  routes: [${routes}]`,
      '}',
    );
  }
  if (options.extraConfig) lines.push('', options.extraConfig);
  return `${lines.join('\n')}\n`;
}

/** The configured name, or one derived from the client port so it survives restarts. */
export function serverNameFor(options: ResolvedNatsServerOptions, ports: NatsListenPorts): string {
  return options.serverName ?? `trustmesh-${ports.client}`;
}

/** `host:port`, with IPv6 hosts bracketed. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function toRouteUrl(route: string): string {
  return route.includes('://') ? route : `nats-route://${route}`;
}

// nats-server's config parser accepts JSON string escapes inside double quotes.
function quote(value: string): string {
  return JSON.stringify(value);
}
