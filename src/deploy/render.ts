import { cp, mkdir, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join, relative } from 'node:path';
import { loadNodeState } from '../actors/node/index.js';
import { LOCAL_NAME, meshTlsFiles } from '../cli/mesh-tls.js';
import { hostPort } from '../natsd/config.js';
import { issueLeafCertificate, LeafKind, loadPki } from '../pki/index.js';
import { writeFileAtomically } from '../pki/key-store.js';
import { createNatsAuthority, DEFAULT_MAX_USER_TTL_MS, type IssuedUser } from '../pki/nats-auth/index.js';
import { renderEnvFile } from './env-files.js';
import { renderServerConfig, serverPaths } from './nats-config.js';
import { type DeployOptions, parseDeployOptions, type ResolvedDeployOptions } from './options.js';

/** One rendered cluster member: where its server listens and which files it reads. */
export interface RenderedServer {
  readonly name: string;
  readonly node: string;
  readonly url: string;
  readonly monitorUrl: string;
  /** nats-server.conf, under `out` (the path on the hosts is the same under `root`). */
  readonly config: string;
}

export interface RenderedDeployment {
  readonly out: string;
  readonly servers: readonly RenderedServer[];
  /** `<out>/<node>/node.env`, `<out>/broker-<server>/broker.env`, `<out>/operator/operator.env`. */
  readonly envFiles: readonly string[];
  /** An operator state dir: `--dir` for `trustmesh sessions|policy|session create` against the cluster. */
  readonly operatorDir: string;
  readonly expiresAt: number;
}

/** A process that connects as a client: its NATS user and its client certificate. */
interface ClientIdentity {
  user: IssuedUser;
  kind: LeafKind;
  name: string;
  /** The name its certificate is issued under (a broker's is its server's). @default name */
  leafName?: string;
  /** Where its creds go, relative to its directory. @default `<name>.creds` */
  creds?: string;
  /** Where its certificate, key and the mesh root go, relative to its directory. @default client.crt, client.key, ../ca.crt */
  tls?: { certFile: string; keyFile: string; caFile: string };
}

/**
 * Renders a cluster from the mesh PKI and the NATS operator authority: per member a nats-server.conf
 * (JetStream, mutual TLS on clients and routes, operator mode) with its server certificate, and a
 * mesh node env file with creds and client certificate; per broker the same; an operator state dir.
 * Every node, broker and operator shares the mesh keys (`keys/`), kept across renders. Render again
 * (same `out`) to rotate every certificate and NATS user.
 */
export async function renderDeployment(options: DeployOptions): Promise<RenderedDeployment> {
  const o = parseDeployOptions(options);
  const ca = await loadPki(o.pkiDir);
  const authority = await createNatsAuthority({
    stateDir: o.authDir,
    maxUserTtlMs: Math.max(o.ttlMs, DEFAULT_MAX_USER_TTL_MS),
  });
  const expiresAt = Date.now() + o.ttlMs;
  await mkdir(o.out, { recursive: true });
  await writeFile(join(o.out, 'ca.crt'), ca.root.cert.toString('pem'));
  const operatorDir = join(o.out, 'operator');
  // The mesh keys: created once, then every render hands the same ones out again.
  await loadNodeState(operatorDir);
  const issue = (kind: LeafKind, name: string, sans: string[] = []) =>
    issueLeafCertificate(ca.intermediate, { kind, name, sans, ttlMs: o.ttlMs, algorithm: 'ed25519' });
  const url = (h: (typeof o.hosts)[number]) => `nats://${hostPort(h.host, h.clientPort)}`;

  const servers: RenderedServer[] = [];
  const envFiles: string[] = [];
  for (const h of o.hosts) {
    const paths = serverPaths(o.out, h.server);
    // nats.js checks a server dialled by IP address against 'localhost' (its TLS upgrade passes no host).
    const sans = [h.host, `dns:${h.server}`, ...(isIP(h.host) ? ['dns:localhost'] : [])];
    const leaf = await issue(LeafKind.NatsServer, h.server, sans);
    await writeFileAtomically(paths.keyFile, leaf.keyPem, true);
    await writeFileAtomically(paths.certFile, leaf.chainPem, false);
    await writeFileAtomically(
      paths.config,
      renderServerConfig(o, h, (resolverDir) => authority.serverConfig({ resolverDir })),
      true,
    );
    servers.push({
      name: h.server,
      node: h.node,
      url: url(h),
      monitorUrl: `http://${hostPort(h.host, h.monitorPort)}`,
      config: paths.config,
    });
    const user = authority.issueNodeUser({ nodeId: h.node, prefix: o.prefix, expiresAt });
    envFiles.push(await writeClient(o, { user, kind: LeafKind.Node, name: h.node }, url(h), issue));
  }
  const first = o.hosts[0]!;
  for (const server of o.brokers) {
    const user = authority.issueBrokerUser({ server, prefix: o.prefix, expiresAt });
    envFiles.push(
      await writeClient(
        o,
        { user, kind: LeafKind.Broker, name: `broker-${server}`, leafName: server },
        url(first),
        issue,
      ),
    );
  }
  const operator = authority.issueNodeUser({ nodeId: 'operator', prefix: o.prefix, expiresAt });
  // Laid out as operator commands read their --dir: mesh.json, creds/operator.creds, pki/ (root, own leaf).
  const files = meshTlsFiles(operatorDir, LeafKind.Operator, LOCAL_NAME);
  const identity = {
    tls: {
      certFile: relative(operatorDir, files.certFile),
      keyFile: relative(operatorDir, files.keyFile),
      caFile: relative(operatorDir, files.caFile),
    },
    user: operator,
    kind: LeafKind.Operator,
    name: 'operator',
    creds: join('creds', 'operator.creds'),
  };
  envFiles.push(await writeClient(o, identity, url(first), issue));
  await writeFileAtomically(
    join(operatorDir, 'mesh.json'),
    `${JSON.stringify({ natsUrl: url(first), prefix: o.prefix })}\n`,
    true,
  );
  return { out: o.out, servers, envFiles, operatorDir, expiresAt };
}

/** Writes `<out>/<name>/`: creds, client certificate, a copy of the mesh keys, and the env file. */
async function writeClient(
  o: ResolvedDeployOptions,
  identity: ClientIdentity,
  natsUrl: string,
  issue: (kind: LeafKind, name: string) => ReturnType<typeof issueLeafCertificate>,
): Promise<string> {
  const { name, kind, user } = identity;
  const creds = identity.creds ?? `${name}.creds`;
  const tls = identity.tls ?? { certFile: 'client.crt', keyFile: 'client.key', caFile: join('..', 'ca.crt') };
  const dir = join(o.out, name);
  const onHost = join(o.root, name);
  const leaf = await issue(kind, identity.leafName ?? name);
  await writeFileAtomically(join(dir, tls.keyFile), leaf.keyPem, true);
  await writeFileAtomically(join(dir, tls.certFile), leaf.chainPem, false);
  if (identity.tls) await cp(join(o.out, 'ca.crt'), join(dir, tls.caFile));
  await writeFileAtomically(join(dir, creds), user.creds, true);
  if (name !== 'operator') {
    // Nodes share every mesh key; a broker gets none of the signing keys (*.jwk), only what it verifies with.
    const filter = (source: string) => kind !== LeafKind.Broker || !source.endsWith('.jwk');
    await cp(join(o.out, 'operator', 'keys'), join(dir, 'keys'), { recursive: true, filter });
  }
  const env = join(dir, `${name.replace(/-.*$/, '')}.env`);
  const values: Record<string, string> = {
    TRUSTMESH_NATS_URL: natsUrl,
    TRUSTMESH_NATS_CREDS: join(onHost, creds),
    TRUSTMESH_TLS_CERT: join(onHost, tls.certFile),
    TRUSTMESH_TLS_KEY: join(onHost, tls.keyFile),
    TRUSTMESH_TLS_CA: join(onHost, tls.caFile),
    TRUSTMESH_STATE_DIR: onHost,
    TRUSTMESH_PREFIX: o.prefix,
    // JetStream replicas of the placement buckets and the audit stream: 3 once there are 3 servers.
    TRUSTMESH_REPLICAS: String(o.hosts.length >= 3 ? 3 : 1),
    OTEL_SERVICE_NAME: `trustmesh-${name}`,
    ...(o.otlpEndpoint ? { OTEL_EXPORTER_OTLP_ENDPOINT: o.otlpEndpoint } : {}),
  };
  const expires = new Date(user.expiresAt).toISOString();
  await writeFileAtomically(
    env,
    renderEnvFile(
      `${name}: rendered by trustmesh deploy render; creds and certificate end ${expires}.`,
      values,
    ),
    true,
  );
  return env;
}
