export type { AuditLogStats } from './audit-log.js';
export { AuditLog } from './audit-log.js';
export type { AuditFileHandle, AuditFileSystem } from './file-system.js';
export { nodeFileSystem } from './file-system.js';
export type { AuditLogOptions } from './options.js';
export { DEFAULT_MAX_BATCH_RECORDS, DEFAULT_MAX_SEGMENT_BYTES, SyncMode } from './options.js';
export type { Line, LogPosition, PositionedLine, Segment } from './segments.js';
export { linesFrom, listSegments, readLines, segmentPath } from './segments.js';
