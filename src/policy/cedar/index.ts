export { compileCedarConditions } from './compile.js';
export { CEDAR_SCHEMA } from './schema.js';
export type { CedarCallContext, CedarConditions, CedarDecision, CedarSource } from './types.js';
export { CedarDenial } from './types.js';
