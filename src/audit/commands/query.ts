import { setTimeout as sleep } from 'node:timers/promises';
import { type LogPosition, linesFrom } from '../log/index.js';
import { parseLine } from '../reader.js';
import { type AuditRecord, AuditRecordSchema } from '../record.js';

/** Which records a command shows. */
export interface RecordFilter {
  readonly session?: string;
  /** Epoch ms: records at or after. */
  readonly since?: number;
}

/** A record as read, with the exact line it came from (exports keep the bytes the hash covers). */
export interface ReadRecord {
  readonly record: AuditRecord;
  readonly text: string;
  /** Just past this record's line: where reading on resumes. */
  readonly position: LogPosition;
}

export function matches(record: AuditRecord, filter: RecordFilter): boolean {
  if (filter.session !== undefined && record.session !== filter.session) return false;
  return filter.since === undefined || Date.parse(record.time) >= filter.since;
}

/**
 * Records of the log in `dir` after `from` that pass `filter`; with `follow`, keeps polling for new
 * ones until `signal` aborts. Lines that are not records are skipped (`verify` reports them).
 */
export async function* readRecords(
  dir: string,
  filter: RecordFilter,
  follow?: { readonly signal: AbortSignal; readonly pollIntervalMs: number },
  from: LogPosition = { segment: 1, offset: 0 },
): AsyncGenerator<ReadRecord> {
  let position = from;
  for (;;) {
    for await (const line of linesFrom(dir, position)) {
      position = { segment: line.segment, offset: line.end };
      const parsed = AuditRecordSchema.safeParse(parseLine(line.text));
      if (parsed.success && matches(parsed.data, filter))
        yield { record: parsed.data, text: line.text, position };
    }
    if (follow === undefined || follow.signal.aborted) return;
    try {
      await sleep(follow.pollIntervalMs, undefined, { signal: follow.signal });
    } catch {
      return;
    }
  }
}

/** One line for people: when, whose, what, how it was decided and how it ended. */
export function formatRecord(record: AuditRecord): string {
  return [
    record.time,
    `${record.session}#${record.seq}`,
    record.tool,
    `${record.decision}/${record.outcome}`,
    record.state,
    `in=${record.bytesIn}B out=${record.bytesOut}B ${record.latencyMs}ms`,
    record.reason,
  ].join('  ');
}
