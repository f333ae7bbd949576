import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { assertPrefix, DEFAULT_PREFIX } from '../../transport/index.js';
import { AuditError, AuditErrorCode } from '../errors.js';

export interface AuditShipperOptions {
  readonly connection: NatsConnection;
  /** The audit log's directory (the shipper only reads it). */
  readonly dir: string;
  /** Where the shipper remembers what the stream has acknowledged. @default `<dir>/ship-cursor.json` */
  readonly cursorFile?: string;
  /** Subject prefix: records go to `<prefix>.audit.<session>`. @default 'tm' */
  readonly prefix?: string;
  /** @default 'TRUSTMESH_AUDIT' */
  readonly stream?: string;
  /** Stream replicas when the shipper creates the stream (3 on a cluster). @default 1 */
  readonly replicas?: number;
  /** How long the stream remembers message ids to drop redeliveries. @default 2 h */
  readonly duplicateWindowMs?: number;
  /** Records published before waiting for their acknowledgements. @default 256 */
  readonly batchRecords?: number;
  /** How often the log is checked when nothing wakes the shipper, and the wait after a failure. @default 1000 */
  readonly pollIntervalMs?: number;
  /**
   * Least time between two passes, however often the log wakes the shipper: each pass syncs the
   * cursor file, and a sync competes with the log's own for the disk. @default 100
   */
  readonly minIntervalMs?: number;
}

export type ParsedAuditShipperOptions = Required<AuditShipperOptions>;

export const DEFAULT_AUDIT_STREAM = 'TRUSTMESH_AUDIT';
export const DEFAULT_DUPLICATE_WINDOW_MS = 2 * 60 * 60 * 1000;

export function parseAuditShipperOptions(options: AuditShipperOptions): ParsedAuditShipperOptions {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  assertPrefix(prefix);
  const stream = options.stream ?? DEFAULT_AUDIT_STREAM;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(stream)) {
    invalid(`stream ${JSON.stringify(stream)} is not a stream name; use letters, digits, '-' or '_'`);
  }
  const replicas = positive('replicas', options.replicas, 1);
  if (replicas > 5) invalid(`replicas is ${replicas}; JetStream allows at most 5`);
  return {
    ...options,
    cursorFile: options.cursorFile ?? join(options.dir, 'ship-cursor.json'),
    prefix,
    stream,
    replicas,
    duplicateWindowMs: positive('duplicateWindowMs', options.duplicateWindowMs, DEFAULT_DUPLICATE_WINDOW_MS),
    batchRecords: positive('batchRecords', options.batchRecords, 256),
    pollIntervalMs: positive('pollIntervalMs', options.pollIntervalMs, 1000),
    minIntervalMs: positive('minIntervalMs', options.minIntervalMs, 100),
  };
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isSafeInteger(value) && value > 0)) invalid(`${name} is ${value}; set a positive integer`);
  return value;
}

function invalid(message: string): never {
  throw new AuditError(AuditErrorCode.InvalidOptions, `Invalid audit shipper options: ${message}.`);
}
