export { FileRevocationList } from './file.js';
export type { KvRevocationListOptions } from './kv.js';
export { DEFAULT_REVOCATION_BUCKET, KvRevocationList } from './kv.js';
export type { Revocation, RevocationList, RevocationRequest } from './types.js';
export { RevocationError, RevocationKind } from './types.js';
