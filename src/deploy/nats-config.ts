import { join } from 'node:path';
import { hostPort } from '../natsd/config.js';
import { renderNatsClusterBlock, renderNatsTlsBlock } from '../pki/tls/index.js';
import type { ResolvedDeployOptions, ResolvedHost } from './options.js';

/** Where one server's files live on its host. */
export function serverPaths(root: string, server: string) {
  const dir = join(root, server);
  return {
    dir,
    config: join(dir, 'nats-server.conf'),
    certFile: join(dir, 'server.crt'),
    keyFile: join(dir, 'server.key'),
    resolverDir: join(dir, 'resolver'),
    pidFile: join(dir, 'nats-server.pid'),
  } as const;
}

/**
 * One cluster member's nats-server.conf: JetStream, mutual TLS on the client port and on routes (both
 * against the mesh root), routes to every other member, and operator mode with the full resolver.
 */
export function renderServerConfig(
  options: ResolvedDeployOptions,
  self: ResolvedHost,
  operatorMode: (resolverDir: string) => string,
): string {
  const paths = serverPaths(options.root, self.server);
  const tls = { certFile: paths.certFile, keyFile: paths.keyFile, caFile: join(options.root, 'ca.crt') };
  const routes = options.hosts
    .filter((h) => h.index !== self.index)
    .map((h) => `nats-route://${hostPort(h.host, h.clusterPort)}`);
  const quote = (value: string) => JSON.stringify(value);
  return [
    '# Rendered by trustmesh deploy render; render again rather than editing it.',
    `server_name: ${quote(self.server)}`,
    `listen: ${quote(hostPort(self.host, self.clientPort))}`,
    `http: ${quote(hostPort(self.host, self.monitorPort))}`,
    `pid_file: ${quote(paths.pidFile)}`,
    // nats-server appends `jetstream/` itself.
    `jetstream { store_dir: ${quote(paths.dir)} }`,
    '# Clients (nodes, brokers, agents, operators) present a certificate from the mesh CA.',
    renderNatsTlsBlock(tls),
    renderNatsClusterBlock({
      name: options.clusterName,
      listen: hostPort(self.host, self.clusterPort),
      routes,
      tls,
    }),
    '',
    operatorMode(paths.resolverDir),
  ].join('\n');
}
