import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import {
  AuditError,
  AuditErrorCode,
  type AuditSource,
  findingAdvice,
  formatRecord,
  listSegments,
  type ReadRecord,
  readRecords,
  verifyAudit,
} from '../audit/index.js';
import { parseDuration } from './duration.js';
import { createOutput } from './output.js';
import { DEFAULT_STATE_DIR } from './state-dir.js';

/** Where `trustmesh node` keeps its audit log unless told otherwise. */
export const DEFAULT_AUDIT_DIR = join(DEFAULT_STATE_DIR, 'audit');
const FOLLOW_POLL_MS = 250;

/** `trustmesh audit tail|verify|export`: read, check and export the local audit log. */
export function registerAuditCommands(program: Command): void {
  const audit = program
    .command('audit')
    .description('Read, verify and export the hash-chained audit log of tool calls.');

  audit
    .command('tail')
    .description(
      'Show the latest audit records, one line each (or JSON lines), optionally following new ones.',
    )
    .option('--dir <dir>', 'the audit log directory', DEFAULT_AUDIT_DIR)
    .option('--session <sid>', 'only this session')
    .option('-n, --lines <count>', 'how many of the latest records to show first', parseCount, 20)
    .option('--follow', 'keep printing records as they are written (Ctrl-C to stop)')
    .option('--json', 'print each record as one JSON line')
    .addHelpText(
      'after',
      '\nExamples:\n  trustmesh audit tail\n  trustmesh audit tail --session 3f9c… --follow\n  trustmesh audit tail -n 100 --json | jq .reason',
    )
    .action(
      async (opts: { dir: string; session?: string; lines: number; follow?: boolean; json?: boolean }) => {
        await requireLog(opts.dir, opts.follow === true);
        const print = (read: ReadRecord) =>
          process.stdout.write(`${opts.json ? read.text : formatRecord(read.record)}\n`);
        const filter = { session: opts.session };
        const latest: ReadRecord[] = [];
        for await (const read of readRecords(opts.dir, filter)) {
          latest.push(read);
          if (latest.length > opts.lines) latest.shift();
        }
        latest.forEach(print);
        if (opts.follow !== true) return;
        const stop = new AbortController();
        process.once('SIGINT', () => stop.abort());
        // Lines after the last shown record that did not match are read again and skipped again.
        const from = latest.at(-1)?.position;
        const follow = { signal: stop.signal, pollIntervalMs: FOLLOW_POLL_MS };
        for await (const read of readRecords(opts.dir, filter, follow, from)) {
          print(read);
        }
      },
    );

  audit
    .command('verify')
    .description('Check every session hash chain: modified records, gaps, reorderings and broken links.')
    .option('--dir <dir>', 'the audit log directory', DEFAULT_AUDIT_DIR)
    .option('--file <file>', 'a JSON-lines export to check instead of a log directory')
    .option('--partial', 'the file is a slice (export --since): chains may start after seq 1')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  trustmesh audit verify\n  trustmesh audit verify --file siem-export.jsonl --json\n  trustmesh audit verify --file last-day.jsonl --partial\n\nExit codes: 0 every chain intact, 1 findings (or no log to check).',
    )
    .action(async (opts: { dir: string; file?: string; partial?: boolean; json?: boolean }) => {
      const source: AuditSource = opts.file !== undefined ? { file: opts.file } : { dir: opts.dir };
      if ('file' in source) await requireFile(source.file);
      else await requireLog(source.dir, false);
      const report = await verifyAudit(source, { partial: opts.partial === true });
      const out = createOutput(opts.json === true);
      const lines = report.findings.map(
        (f) =>
          `${f.file}:${f.line}: ${f.kind}${f.session === null ? '' : ` (session ${f.session}, seq ${f.seq})`}: ${f.detail}.\n  What to do: ${findingAdvice(f.kind)}.`,
      );
      const summary =
        report.findings.length === 0
          ? `Verified ${report.records} records in ${report.sessions} sessions: every chain is intact.`
          : `${report.findings.length} finding(s) in ${report.records} records: the audit log was altered.`;
      out.result([...lines, summary].join('\n'), { ok: report.findings.length === 0, ...report });
      process.exitCode = report.findings.length === 0 ? 0 : 1;
    });

  audit
    .command('export')
    .description('Write records as JSON lines (exactly as logged, so a SIEM can re-verify their hashes).')
    .option('--dir <dir>', 'the audit log directory', DEFAULT_AUDIT_DIR)
    .option(
      '--since <time>',
      'only records at or after an ISO 8601 time, or this long ago (90s, 30m, 1h, 1d)',
      parseSince,
    )
    .option('--session <sid>', 'only this session')
    .addHelpText(
      'after',
      '\nExamples:\n  trustmesh audit export > audit.jsonl\n  trustmesh audit export --since 1d --session 3f9c… > session.jsonl\n  trustmesh audit export --since 2025-01-06T00:00:00Z | your-siem-forwarder',
    )
    .action(async (opts: { dir: string; since?: number; session?: string }) => {
      await requireLog(opts.dir, false);
      for await (const read of readRecords(opts.dir, { session: opts.session, since: opts.since })) {
        process.stdout.write(`${read.text}\n`);
      }
    });
}

function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isSafeInteger(count) || count < 0)
    throw new InvalidArgumentError('expected a whole number, 0 or more.');
  return count;
}

/** An ISO 8601 time, or a duration meaning that long before now; epoch ms. */
function parseSince(value: string): number {
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const at = Date.parse(value);
    if (Number.isNaN(at))
      throw new InvalidArgumentError(`"${value}" is not an ISO 8601 time; write e.g. 2025-01-06T09:00:00Z.`);
    return at;
  }
  return Date.now() - parseDuration(value);
}

async function requireLog(dir: string, waitForIt: boolean): Promise<void> {
  if (waitForIt || (await listSegments(dir)).length > 0) return;
  throw new AuditError(
    AuditErrorCode.InvalidOptions,
    `There is no audit log in ${dir}; pass --dir with the directory your node writes (its --audit-dir), or start a node first.`,
  );
}

async function requireFile(file: string): Promise<void> {
  try {
    await access(file);
  } catch {
    throw new AuditError(
      AuditErrorCode.InvalidOptions,
      `Cannot read ${file}; check the path passed to --file.`,
    );
  }
}
