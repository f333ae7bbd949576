export { MeshNode } from './mesh-node.js';
export type { MeshNodeOptions, SessionDefaults } from './options.js';
export { NodeOptionsError } from './options.js';
export type { NodeState } from './state.js';
export { loadNodeState, NodeStateError, nodeStatePaths } from './state.js';
