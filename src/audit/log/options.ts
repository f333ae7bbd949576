import { AuditError, AuditErrorCode } from '../errors.js';
import type { AuditRecord } from '../record.js';
import { type AuditFileSystem, nodeFileSystem } from './file-system.js';

export interface AuditLogOptions {
  /** Directory of the log's segments; created if missing. */
  readonly dir: string;
  /** A segment that would grow past this many bytes is closed and a new one started. @default 64 MiB */
  readonly maxSegmentBytes?: number;
  /** Most records written by one write + sync; the rest wait for the next batch. @default 1024 */
  readonly maxBatchRecords?: number;
  /** `datasync` (data and the size needed to read it back) or `sync` (all metadata). @default 'datasync' */
  readonly syncMode?: SyncMode;
  /** Called with each batch once it is durable, e.g. to wake the shipper. Must not throw. */
  readonly onDurable?: (records: readonly AuditRecord[]) => void;
  /** @default the real file system */
  readonly fileSystem?: AuditFileSystem;
}

export const SyncMode = { DataSync: 'datasync', Sync: 'sync' } as const;
export type SyncMode = (typeof SyncMode)[keyof typeof SyncMode];

export const DEFAULT_MAX_SEGMENT_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_BATCH_RECORDS = 1024;

export type ParsedAuditLogOptions = Required<Omit<AuditLogOptions, 'onDurable'>> &
  Pick<AuditLogOptions, 'onDurable'>;

export function parseAuditLogOptions(options: AuditLogOptions): ParsedAuditLogOptions {
  if (options.dir.length === 0) invalid('dir is empty; name the directory the log lives in');
  const syncMode = options.syncMode ?? SyncMode.DataSync;
  if (syncMode !== SyncMode.DataSync && syncMode !== SyncMode.Sync) {
    invalid(`syncMode is ${JSON.stringify(syncMode)}; use 'datasync' or 'sync'`);
  }
  return {
    ...options,
    maxSegmentBytes: positive('maxSegmentBytes', options.maxSegmentBytes, DEFAULT_MAX_SEGMENT_BYTES),
    maxBatchRecords: positive('maxBatchRecords', options.maxBatchRecords, DEFAULT_MAX_BATCH_RECORDS),
    syncMode,
    fileSystem: options.fileSystem ?? nodeFileSystem,
  };
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isSafeInteger(value) && value > 0)) invalid(`${name} is ${value}; set a positive integer`);
  return value;
}

function invalid(message: string): never {
  throw new AuditError(AuditErrorCode.InvalidOptions, `Invalid audit log options: ${message}.`);
}
