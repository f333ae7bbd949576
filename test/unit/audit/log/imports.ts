export type { AuditFileSystem, AuditRecord } from '../../../../src/audit/index.js';
export {
  AuditLog,
  GENESIS_HASH,
  nodeFileSystem,
  recordHash,
  verifyAudit,
} from '../../../../src/audit/index.js';
export { segmentPath as segmentPathForTest } from '../../../../src/audit/log/index.js';
