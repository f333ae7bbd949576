export type { NodeAuditOptions } from './audit.js';
export { nodeAuditDir } from './audit.js';
export { MeshNode } from './mesh-node.js';
export type { MeshNodeOptions, SessionDefaults } from './options.js';
export { NodeOptionsError } from './options.js';
export {
  Activation,
  DEFAULT_LEASE_MS,
  DEFAULT_PASSIVATE_AFTER_MS,
  NODES_BUCKET,
  PLACEMENT_BUCKET,
  PlacementError,
  PlacementErrorCode,
  type PlacementOptions,
  type PlacementRecord,
} from './placement/index.js';
export {
  forgetSessionUser,
  openSessionUsers,
  recordSessionUser,
  SESSION_USERS_BUCKET,
  sessionUserOf,
} from './session-users.js';
export type { NodeState } from './state.js';
export { loadNodeState, loadTokenKey, NodeStateError, nodeStatePaths } from './state.js';
export {
  SESSION_TOKEN_AUDIENCE,
  SESSION_TOKEN_ISSUER,
  type SessionGrant,
  SessionGrantError,
  sessionGrant,
  sessionTokenIssuer,
  sessionTokenVerifier,
} from './tokens.js';
