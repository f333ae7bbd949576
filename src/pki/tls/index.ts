export type { ClientTlsFiles, ClientTlsMaterial } from './client.js';
export { natsClientTls, natsClientTlsFiles } from './client.js';
export type { LeafRenewalOptions } from './renewal.js';
export { startLeafRenewal } from './renewal.js';
export type { ReloadableNatsServer, RotationOptions } from './rotate.js';
export { rotateNatsServerCertificate } from './rotate.js';
export type { NatsClusterTlsOptions, NatsTlsFiles, NatsTlsOptions } from './server-config.js';
export { DEFAULT_TLS_TIMEOUT_SECONDS, renderNatsClusterBlock, renderNatsTlsBlock } from './server-config.js';
