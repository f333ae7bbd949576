import { open } from 'node:fs/promises';
import { recordHash } from './chain.js';
import { listSegments } from './log/index.js';
import { type AuditSource, parseLine, type SourceLine, sourceLines } from './reader.js';
import { type AuditRecord, AuditRecordSchema, GENESIS_HASH } from './record.js';

/** What `verify` can find wrong. */
export const FindingKind = {
  /** Not a record: not JSON, or not the record schema. */
  Malformed: 'malformed',
  /** The record's content no longer matches its own hash. */
  Modified: 'modified',
  /** `prev` is not the hash of the session's previous record. */
  BrokenLink: 'broken_link',
  /** One or more of the session's seqs are missing before this record. */
  Gap: 'gap',
  /** The record comes after one with a higher seq. */
  Reordered: 'reordered',
  /** The session already had a record with this seq. */
  Duplicate: 'duplicate',
  /** Bytes after the last newline: a write cut short (the log removes it on open) or a truncated copy. */
  Torn: 'torn',
} as const;
export type FindingKind = (typeof FindingKind)[keyof typeof FindingKind];

export interface Finding {
  readonly kind: FindingKind;
  readonly file: string;
  /** 1-based line number in `file`. */
  readonly line: number;
  readonly session: string | null;
  readonly seq: number | null;
  readonly detail: string;
}

export interface VerifyReport {
  readonly records: number;
  readonly sessions: number;
  readonly findings: readonly Finding[];
}

interface Located {
  readonly record: AuditRecord;
  readonly at: SourceLine;
}

/**
 * Checks every session's hash chain in `source`: each record's own hash, its link to the previous
 * record, and that seqs run 1, 2, 3… in file order. A finding names the exact file and line.
 */
export interface VerifyOptions {
  /**
   * The source is a slice (an export made with `--since`): each session's first record is taken as
   * where its chain starts, not checked against seq 1 and the genesis hash. @default false
   */
  readonly partial?: boolean;
}

export async function verifyAudit(source: AuditSource, options: VerifyOptions = {}): Promise<VerifyReport> {
  const findings: Finding[] = [];
  const sessions = new Map<string, Located[]>();
  const linesPerFile = new Map<string, number>();
  let records = 0;
  for await (const at of sourceLines(source)) {
    linesPerFile.set(at.file, at.number);
    const parsed = AuditRecordSchema.safeParse(parseLine(at.text));
    if (!parsed.success) {
      findings.push(
        finding(FindingKind.Malformed, at, null, null, 'not an audit record; it cannot be checked'),
      );
      continue;
    }
    const record = parsed.data;
    records++;
    if (recordHash(record) !== record.hash) {
      findings.push(
        finding(FindingKind.Modified, at, record.session, record.seq, 'content does not match its hash'),
      );
    }
    const list = sessions.get(record.session) ?? [];
    list.push({ record, at });
    sessions.set(record.session, list);
  }
  for (const list of sessions.values()) findings.push(...checkSession(list, options.partial === true));
  for (const file of await sourceFiles(source)) {
    if (await endsTorn(file)) {
      const line = (linesPerFile.get(file) ?? 0) + 1;
      findings.push({
        kind: FindingKind.Torn,
        file,
        line,
        session: null,
        seq: null,
        detail: 'the last line has no end',
      });
    }
  }
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return { records, sessions: sessions.size, findings };
}

function checkSession(list: readonly Located[], partial: boolean): Finding[] {
  const findings: Finding[] = [];
  const seen = new Map<number, Located>();
  let highest = 0;
  for (const item of list) {
    const { seq, session } = item.record;
    if (seen.has(seq)) {
      findings.push(
        finding(
          FindingKind.Duplicate,
          item.at,
          session,
          seq,
          `seq ${seq} already appeared on line ${seen.get(seq)?.at.number}`,
        ),
      );
      continue;
    }
    if (seq < highest) {
      findings.push(
        finding(FindingKind.Reordered, item.at, session, seq, `seq ${seq} comes after seq ${highest}`),
      );
    }
    seen.set(seq, item);
    highest = Math.max(highest, seq);
  }
  // Gaps and links are judged in seq order, so a swap is one reordering, not a gap plus a reordering.
  let previous: Located | undefined;
  for (const item of [...seen.values()].sort((a, b) => a.record.seq - b.record.seq)) {
    const { seq, session, prev } = item.record;
    if (partial && previous === undefined) {
      previous = item;
      continue;
    }
    const expected = (previous?.record.seq ?? 0) + 1;
    if (seq > expected) {
      const missing = seq - 1 === expected ? `seq ${expected} is` : `seqs ${expected} to ${seq - 1} are`;
      findings.push(finding(FindingKind.Gap, item.at, session, seq, `${missing} missing before this record`));
    } else if (prev !== (previous?.record.hash ?? GENESIS_HASH)) {
      findings.push(
        finding(
          FindingKind.BrokenLink,
          item.at,
          session,
          seq,
          `prev does not match the hash of seq ${seq - 1}`,
        ),
      );
    }
    previous = item;
  }
  return findings;
}

function finding(
  kind: FindingKind,
  at: SourceLine,
  session: string | null,
  seq: number | null,
  detail: string,
): Finding {
  return { kind, file: at.file, line: at.number, session, seq, detail };
}

/** What an operator should do about a finding. */
export function findingAdvice(kind: FindingKind): string {
  switch (kind) {
    case FindingKind.Malformed:
    case FindingKind.Modified:
      return 'the record was altered after it was written; compare it with the copy in the audit stream and treat the host as compromised until explained';
    case FindingKind.BrokenLink:
      return 'a record before this one was replaced or rewritten; compare the session with the audit stream';
    case FindingKind.Gap:
      return 'records were deleted; restore them from the audit stream (trustmesh audit export on another copy) and investigate who removed them';
    case FindingKind.Reordered:
    case FindingKind.Duplicate:
      return 'lines were moved or copied; compare the session with the audit stream';
    case FindingKind.Torn:
      return 'if this is a live log, open it with the node (it cuts the unfinished write); if it is a copy, copy it again in full';
  }
}

async function sourceFiles(source: AuditSource): Promise<string[]> {
  return 'file' in source ? [source.file] : (await listSegments(source.dir)).map((s) => s.path);
}

/** True when `file` is not empty and its last byte is not a newline. */
async function endsTorn(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] !== 10;
  } finally {
    await handle.close();
  }
}
