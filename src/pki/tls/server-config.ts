import { PkiError, PkiErrorCode } from '../ca/errors.js';

/** Files a nats-server TLS block points at. */
export interface NatsTlsFiles {
  /** Server certificate chain (leaf then intermediate), PEM. */
  certFile: string;
  /** Its private key, PKCS#8 PEM, mode 0600. */
  keyFile: string;
  /** Mesh root certificate: peers must chain to it. */
  caFile: string;
}

export interface NatsTlsOptions extends NatsTlsFiles {
  /** Require and verify a client certificate (mutual TLS). @default true */
  verify?: boolean;
  /** TLS handshake timeout in seconds. @default 2 */
  timeoutSeconds?: number;
}

/** The cluster block nats-server needs around a route TLS block (one `cluster {}` per file). */
export interface NatsClusterTlsOptions {
  name: string;
  /** `host:port` the route listener binds. */
  listen: string;
  /** Route URLs of the other nodes, `nats-route://host:port`. */
  routes: string[];
  tls: NatsTlsOptions;
}

export const DEFAULT_TLS_TIMEOUT_SECONDS = 2;

/** `tls { … }` for the client port: mutual TLS against the mesh root unless `verify` is false. */
export function renderNatsTlsBlock(options: NatsTlsOptions, indent = ''): string {
  const verify = options.verify ?? true;
  const timeout = options.timeoutSeconds ?? DEFAULT_TLS_TIMEOUT_SECONDS;
  if (!(timeout > 0))
    throw new PkiError(
      PkiErrorCode.Options,
      `TLS timeout ${timeout} s must be a positive number of seconds.`,
    );
  for (const key of ['certFile', 'keyFile', 'caFile'] as const) {
    if (!options[key])
      throw new PkiError(PkiErrorCode.Options, `TLS ${key} is required: give the PEM file path.`);
  }
  return [
    `${indent}tls {`,
    `${indent}  cert_file: ${quote(options.certFile)}`,
    `${indent}  key_file: ${quote(options.keyFile)}`,
    `${indent}  ca_file: ${quote(options.caFile)}`,
    `${indent}  verify: ${verify}`,
    `${indent}  timeout: ${timeout}`,
    `${indent}}`,
  ].join('\n');
}

/**
 * A whole `cluster { … tls { verify } }` block: routes authenticate each other with nats-server
 * certificates (serverAuth + clientAuth) from the mesh CA. Use it instead of the plain cluster block,
 * since nats-server keeps only the last `cluster` block of a file.
 */
export function renderNatsClusterBlock(options: NatsClusterTlsOptions): string {
  const routes = options.routes.map(quote).join(', ');
  return [
    'cluster {',
    `  name: ${quote(options.name)}`,
    `  listen: ${quote(options.listen)}`,
    `  routes: [${routes}]`,
    renderNatsTlsBlock(options.tls, '  '),
    '}',
  ].join('\n');
}

// nats-server's config parser accepts JSON string escapes inside double quotes.
function quote(value: string): string {
  return JSON.stringify(value);
}
