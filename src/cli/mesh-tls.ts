import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { TrustmeshError } from '../errors.js';
import {
  type CertificateRenewer,
  type ClientTlsFiles,
  type ClientTlsMaterial,
  initPki,
  issueLeafCertificate,
  issueToStore,
  KeyAlgorithm,
  LeafKind,
  leafFiles,
  loadPki,
  type MeshCa,
  type NatsTlsFiles,
  pkiLayout,
  startLeafRenewal,
} from '../pki/index.js';
import { pathExists } from './state-dir.js';

/** Every key of a local mesh is Ed25519: nats-server 2.9 and Node's OpenSSL both take it (decision 0011). */
const LOCAL_ALGORITHM = KeyAlgorithm.Ed25519;
/** The name every local identity is issued under, beside the broker's server name. */
export const LOCAL_NAME = 'local';

export class MeshTlsError extends TrustmeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_MESH_TLS', message, options);
  }
}

/** Where a local mesh keeps its CA and issued leaves. */
export function meshPkiDir(dir: string): string {
  return join(resolve(dir), 'pki');
}

/** The client TLS files of one identity of a local mesh (they exist once `trustmesh up` issued them). */
export function meshTlsFiles(dir: string, kind: LeafKind, name: string): ClientTlsFiles {
  const layout = pkiLayout(meshPkiDir(dir));
  const { certFile, keyFile } = leafFiles(layout, kind, name);
  return { caFile: layout.rootCert, certFile, keyFile };
}

/** Those files if the local mesh runs mutual TLS and issued that identity, else undefined (an open server). */
export async function localMeshTls(
  dir: string,
  kind: LeafKind,
  name: string,
): Promise<ClientTlsFiles | undefined> {
  const files = meshTlsFiles(dir, kind, name);
  const present = await Promise.all(Object.values(files).map(pathExists));
  return present.every(Boolean) ? files : undefined;
}

/** The mesh CA of a local mesh when it has one (`up` creates it), else undefined. */
export async function localMeshCa(dir: string): Promise<MeshCa | undefined> {
  return (await pathExists(pkiLayout(meshPkiDir(dir)).rootCert)) ? loadPki(meshPkiDir(dir)) : undefined;
}

/** What `up` hands nats-server and the local processes. */
export interface LocalMeshTls {
  server: NatsTlsFiles;
  node: ClientTlsFiles;
  broker: ClientTlsFiles;
  operator: ClientTlsFiles;
}

/**
 * Opens the local mesh CA (creating it on first start) and issues fresh Ed25519 leaves of `ttlMs`: the
 * nats-server's (localhost, 127.0.0.1; serverAuth + clientAuth), and client leaves with
 * digitalSignature + clientAuth for the node, the broker of `server` and the operator tools.
 */
export async function issueLocalMeshTls(dir: string, server: string, ttlMs: number): Promise<LocalMeshTls> {
  const pkiDir = meshPkiDir(dir);
  const ca = (await localMeshCa(dir)) ?? (await initPki(pkiDir, { algorithm: LOCAL_ALGORITHM }));
  const issue = async (kind: LeafKind, name: string, sans: string[] = []): Promise<ClientTlsFiles> => {
    const leaf = await issueToStore(pkiLayout(pkiDir), ca.intermediate, {
      kind,
      name,
      sans,
      ttlMs,
      algorithm: LOCAL_ALGORITHM,
    });
    return { caFile: pkiLayout(pkiDir).rootCert, certFile: leaf.certFile, keyFile: leaf.keyFile };
  };
  const [nats, node, broker, operator] = await Promise.all([
    issue(LeafKind.NatsServer, LOCAL_NAME, ['dns:localhost', 'ip:127.0.0.1']),
    issue(LeafKind.Node, LOCAL_NAME),
    issue(LeafKind.Broker, server),
    issue(LeafKind.Operator, LOCAL_NAME),
  ]);
  return { server: nats, node, broker, operator };
}

/**
 * The client certificate of one agent session (kind `agent`, Ed25519) on a local mesh with a CA, else
 * undefined. It ends when the session does, like the session's token and NATS user, so the bridge
 * never renews it (decision 0011).
 */
export async function issueAgentTls(
  dir: string,
  sid: string,
  expiresAt: number,
): Promise<ClientTlsMaterial | undefined> {
  const ca = await localMeshCa(dir);
  if (!ca) return undefined;
  const leaf = await issueLeafCertificate(ca.intermediate, {
    kind: LeafKind.Agent,
    name: sid,
    ttlMs: expiresAt - Date.now(),
    algorithm: LOCAL_ALGORITHM,
  });
  return { caPem: ca.root.cert.toString('pem'), chainPem: leaf.chainPem, keyPem: leaf.keyPem };
}

/** The flags of a long-running process that connects with mutual TLS and may renew its own leaf. */
export interface TlsFlags {
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  tlsRenewFrom?: string;
}

export function withTlsFlags(command: Command): Command {
  return command
    .option('--tls-cert <file>', 'client certificate chain (PEM) for a mesh that runs mutual TLS')
    .option('--tls-key <file>', 'its private key (PKCS#8 PEM, mode 0600)')
    .option('--tls-ca <file>', 'the mesh root certificate the server must chain to')
    .option(
      '--tls-renew-from <pki-dir>',
      'renew the certificate at half-life from the mesh CA in this directory (a local mesh)',
    );
}

/** The TLS files the flags name: all three, or none (then the process connects without TLS). */
export function tlsFilesOf(flags: TlsFlags): ClientTlsFiles | undefined {
  const given = [flags.tlsCert, flags.tlsKey, flags.tlsCa];
  if (given.every((value) => value === undefined)) {
    if (flags.tlsRenewFrom !== undefined)
      throw new MeshTlsError('--tls-renew-from needs --tls-cert, --tls-key and --tls-ca: give all four.');
    return undefined;
  }
  if (flags.tlsCert === undefined || flags.tlsKey === undefined || flags.tlsCa === undefined)
    throw new MeshTlsError('give --tls-cert, --tls-key and --tls-ca together, or none of them.');
  return { certFile: flags.tlsCert, keyFile: flags.tlsKey, caFile: flags.tlsCa };
}

/**
 * Starts renewing the process's leaf when --tls-renew-from says where the CA is; logs serials, never
 * keys. `afterRenewal` runs once the successor's files are in place (the signer reloads them).
 */
export async function renewOwnLeaf(
  flags: TlsFlags,
  log: (line: string) => void,
  afterRenewal?: () => Promise<void>,
): Promise<CertificateRenewer | undefined> {
  const files = tlsFilesOf(flags);
  if (!files || flags.tlsRenewFrom === undefined) return undefined;
  const renewer = await startLeafRenewal({
    pkiDir: flags.tlsRenewFrom,
    files,
    onRenewed: (next) => {
      log(`renewed TLS certificate ${next.subject}: serial ${next.serial}, valid until ${next.notAfter}`);
      afterRenewal?.().catch((err: unknown) =>
        log(`reloading the renewed certificate failed: ${(err as Error).message}`),
      );
    },
    onError: (err) =>
      log(
        `TLS certificate renewal failed (${(err as Error).message}); retrying while the current one is valid`,
      ),
  });
  log(`TLS certificate renewal due at ${new Date(renewer.renewAt).toISOString()}`);
  return renewer;
}
