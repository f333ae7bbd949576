export type { ClusterReadyOptions } from './cluster.js';
export { NatsClusterNotReadyError, waitForClusterReady } from './cluster.js';
export { NatsServerOptionsError, NatsServerStartError } from './errors.js';
export type { NatsClusterOptions, NatsServerOptions } from './options.js';
export {
  DEFAULT_MAX_PAYLOAD,
  DEFAULT_NATS_HOST,
  DEFAULT_READY_TIMEOUT_MS,
  DEFAULT_STOP_TIMEOUT_MS,
  parseNatsServerOptions,
} from './options.js';
export { findFreePorts } from './ports.js';
export type { NatsServerBinary, ProvisionOptions } from './provision.js';
export {
  compareVersions,
  ensureNatsServer,
  findNatsServer,
  MIN_NATS_SERVER_VERSION,
  NatsServerMissingError,
} from './provision.js';
export type { NatsServerExit, NatsServerProcess } from './server.js';
export { startNatsServer } from './server.js';
