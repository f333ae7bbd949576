import type { TlsOptions } from '@nats-io/transport-node';

/** PEM texts a NATS client presents and trusts. */
export interface ClientTlsMaterial {
  /** Mesh root certificate. */
  caPem: string;
  /** Client certificate chain (leaf then intermediate). */
  chainPem: string;
  keyPem: string;
}

/** Files holding the same: what a long-running process connects with, so a renewal reaches its next connect. */
export interface ClientTlsFiles {
  caFile: string;
  /** Leaf then intermediate, PEM. */
  certFile: string;
  /** PKCS#8 PEM, 0600. */
  keyFile: string;
}

/** `tls` connect options for @nats-io/transport-node: trust only the mesh root, present our chain. */
export function natsClientTls(material: ClientTlsMaterial): TlsOptions {
  return { ca: material.caPem, cert: material.chainPem, key: material.keyPem };
}

/**
 * The same from files. nats.js reads them again before every TLS handshake, reconnects included, so
 * files replaced by a renewal are what the next connection presents; a live connection keeps its
 * handshake.
 */
export function natsClientTlsFiles(files: ClientTlsFiles): TlsOptions {
  return { caFile: files.caFile, certFile: files.certFile, keyFile: files.keyFile };
}
