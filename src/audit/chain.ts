import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';
import { AuditError, AuditErrorCode } from './errors.js';
import { AUDIT_RECORD_VERSION, type AuditEntry, type AuditRecord, GENESIS_HASH } from './record.js';

/** Where a session's chain stands: its last record's seq and hash. */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

/** SHA-256 (hex) over the canonical JSON of `record` without its `hash`. */
export function recordHash(record: Omit<AuditRecord, 'hash'> | AuditRecord): string {
  const { hash: _hash, ...body } = record as AuditRecord;
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/** The record that follows `head` (or starts the chain) for `entry`'s session. */
export function chainRecord(entry: AuditEntry, head: ChainHead | undefined): AuditRecord {
  const body = {
    ...entry,
    v: AUDIT_RECORD_VERSION,
    seq: (head?.seq ?? 0) + 1,
    prev: head?.hash ?? GENESIS_HASH,
  } as const;
  let hash: string;
  try {
    hash = recordHash(body);
  } catch (err) {
    throw new AuditError(
      AuditErrorCode.InvalidRecord,
      `The audit entry for session ${entry.session} cannot be written as JSON (${(err as Error).message}); pass arguments through the redactor first.`,
      { cause: err },
    );
  }
  return { ...body, hash };
}
