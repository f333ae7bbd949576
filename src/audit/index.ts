export type { AuditorOptions, CallAudit, CallRedaction } from './auditor.js';
export { Auditor } from './auditor.js';
export type { ChainHead } from './chain.js';
export { chainRecord, recordHash } from './chain.js';
export type { ReadRecord, RecordFilter } from './commands/index.js';
export { formatRecord, matches, readRecords } from './commands/index.js';
export { AuditError, AuditErrorCode } from './errors.js';
export type {
  AuditFileHandle,
  AuditFileSystem,
  AuditLogOptions,
  AuditLogStats,
  LogPosition,
} from './log/index.js';
export {
  AuditLog,
  DEFAULT_MAX_BATCH_RECORDS,
  DEFAULT_MAX_SEGMENT_BYTES,
  linesFrom,
  listSegments,
  nodeFileSystem,
  SyncMode,
} from './log/index.js';
export type { AuditSource, SourceLine } from './reader.js';
export { sourceLines } from './reader.js';
export type { AuditEntry, AuditRecord } from './record.js';
export {
  AUDIT_RECORD_VERSION,
  AuditEntrySchema,
  AuditOutcome,
  AuditRecordSchema,
  GENESIS_HASH,
} from './record.js';
export type { Redacted, RedactionOptions } from './redact/index.js';
export {
  DEFAULT_SENSITIVE_KEYS,
  RedactionRule,
  Redactor,
  redactedMarker,
  SECRET_PATTERNS,
} from './redact/index.js';
export type { AuditShipperOptions, ShipCursor, ShipLag } from './ship/index.js';
export {
  AuditShipper,
  auditSubject,
  DEFAULT_AUDIT_STREAM,
  DEFAULT_DUPLICATE_WINDOW_MS,
  loadCursor,
} from './ship/index.js';
export type { Finding, VerifyOptions, VerifyReport } from './verify.js';
export { FindingKind, findingAdvice, verifyAudit } from './verify.js';
