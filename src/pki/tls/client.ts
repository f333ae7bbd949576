import type { TlsOptions } from '@nats-io/transport-node';

/** PEM texts a NATS client presents and trusts. */
export interface ClientTlsMaterial {
  /** Mesh root certificate. */
  caPem: string;
  /** Client certificate chain (leaf then intermediate). */
  chainPem: string;
  keyPem: string;
}

/** `tls` connect options for @nats-io/transport-node: trust only the mesh root, present our chain. */
export function natsClientTls(material: ClientTlsMaterial): TlsOptions {
  return { ca: material.caPem, cert: material.chainPem, key: material.keyPem };
}
