export { canonicalRelativePath } from './path.js';
export { createFsResolver, lexicalResolver, type ResourceResolver } from './resolver.js';
export type { ResourceResult } from './result.js';
export { parseTemplate, type ResourceTemplate, renderIdentifier } from './template.js';
