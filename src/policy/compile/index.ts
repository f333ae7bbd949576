export type {
  Bound,
  CatalogueEntry,
  GlobRule,
  Grant,
  Limits,
  PolicyBundle,
  Purpose,
  Schedule,
  TimeWindow,
} from './bundle.js';
export type { ConditionsCompiler } from './conditions.js';
export { loadPolicy, readPolicyFiles } from './load.js';
export { GRANTABLE_METHODS, isMeshLocalMethod, splitKey } from './methods.js';
export { type ParsePolicyOptions, parsePolicy, policyVersion } from './parse.js';
