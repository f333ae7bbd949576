import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, FindingKind, verifyAudit } from '../../../src/audit/index.js';
import { entry } from './entries.js';

let dir: string;
let lines: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tm-audit-verify-'));
  const log = await AuditLog.open({ dir: join(dir, 'log') });
  // Two interleaved sessions: line n (1-based) holds session a's seq (n+1)/2 for odd n.
  for (let i = 1; i <= 5; i++) {
    await log.append(entry('a', i));
    await log.append(entry('b', i));
  }
  await log.close();
  lines = (await readFile(join(dir, 'log', 'audit-000000000001.jsonl'), 'utf8')).trimEnd().split('\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function verifyLines(name: string, content: string[]) {
  const file = join(dir, `${name}.jsonl`);
  await writeFile(file, `${content.join('\n')}\n`);
  const report = await verifyAudit({ file });
  return report.findings.map(({ kind, line, session, seq }) => ({ kind, line, session, seq }));
}

describe('verifyAudit', () => {
  it('finds nothing in an intact log', async () => {
    expect(await verifyAudit({ dir: join(dir, 'log') })).toEqual({ records: 10, sessions: 2, findings: [] });
  });

  it('finds a record changed by one byte, on its line', async () => {
    const tampered = [...lines];
    tampered[4] = (tampered[4] as string).replace('src/file-3.ts', 'src/file-4.ts');
    expect(await verifyLines('tampered', tampered)).toEqual([
      { kind: FindingKind.Modified, line: 5, session: 'a', seq: 3 },
    ]);
  });

  it('finds a rewritten record whose hash was recomputed, through the next link', async () => {
    const record = JSON.parse(lines[4] as string);
    record.tool = 'github.create_comment';
    const { recordHash } = await import('../../../src/audit/index.js');
    record.hash = recordHash(record);
    const rewritten = [...lines];
    rewritten[4] = JSON.stringify(record);
    expect(await verifyLines('rewritten', rewritten)).toEqual([
      { kind: FindingKind.BrokenLink, line: 7, session: 'a', seq: 4 },
    ]);
  });

  it('finds a deleted line as a gap at the record after it', async () => {
    const deleted = lines.filter((_, i) => i !== 4);
    expect(await verifyLines('deleted', deleted)).toEqual([
      { kind: FindingKind.Gap, line: 6, session: 'a', seq: 4 },
    ]);
  });

  it('finds two swapped lines as one reordering at the later line', async () => {
    const swapped = [...lines];
    [swapped[4], swapped[6]] = [swapped[6] as string, swapped[4] as string];
    expect(await verifyLines('swapped', swapped)).toEqual([
      { kind: FindingKind.Reordered, line: 7, session: 'a', seq: 3 },
    ]);
  });

  it('finds a duplicated line and a line that is not a record', async () => {
    const noisy = [...lines.slice(0, 3), lines[2] as string, 'not json', ...lines.slice(3)];
    expect(await verifyLines('noisy', noisy)).toEqual([
      { kind: FindingKind.Duplicate, line: 4, session: 'a', seq: 2 },
      { kind: FindingKind.Malformed, line: 5, session: null, seq: null },
    ]);
  });

  it('finds a first record that does not start from the genesis hash', async () => {
    const record = JSON.parse(lines[0] as string);
    record.prev = 'f'.repeat(64);
    const { recordHash } = await import('../../../src/audit/index.js');
    record.hash = recordHash(record);
    expect(await verifyLines('genesis', [JSON.stringify(record)])).toEqual([
      { kind: FindingKind.BrokenLink, line: 1, session: 'a', seq: 1 },
    ]);
  });

  it('finds a copy cut in the middle of its last line', async () => {
    const file = join(dir, 'cut.jsonl');
    await writeFile(file, `${lines.slice(0, 3).join('\n')}\n${(lines[3] as string).slice(0, 40)}`);
    const report = await verifyAudit({ file });
    expect(report.findings.map(({ kind, line }) => ({ kind, line }))).toEqual([
      { kind: FindingKind.Torn, line: 4 },
    ]);
  });

  it('accepts a slice that starts mid-chain only when told it is partial, and still finds gaps inside it', async () => {
    const slice = lines.slice(4);
    expect((await verifyLines('slice', slice)).map((f) => f.kind)).toEqual([
      FindingKind.Gap,
      FindingKind.Gap,
    ]);
    const file = join(dir, 'slice.jsonl');
    expect((await verifyAudit({ file }, { partial: true })).findings).toEqual([]);
    await writeFile(file, `${[...slice.slice(0, 2), ...slice.slice(4)].join('\n')}\n`);
    expect(
      (await verifyAudit({ file }, { partial: true })).findings.map(({ kind, line }) => ({ kind, line })),
    ).toEqual([
      { kind: FindingKind.Gap, line: 3 },
      { kind: FindingKind.Gap, line: 4 },
    ]);
  });
});
