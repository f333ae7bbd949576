export {
  DEFAULT_DEPLOY_PORTS,
  DEFAULT_DEPLOY_TTL_MS,
  type DeployHost,
  type DeployOptions,
  DeployOptionsError,
} from './options.js';
export { type RenderedDeployment, type RenderedServer, renderDeployment } from './render.js';
