import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuditLog, type AuditRecord, readRecords } from '../../../src/audit/index.js';
import { registerAuditCommands } from '../../../src/cli/audit.js';
import { reportFailure } from '../../../src/cli/output.js';
import { entry } from './entries.js';

let dir: string;
let records: AuditRecord[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tm-audit-cli-'));
  const log = await AuditLog.open({ dir: join(dir, 'log') });
  records = [];
  for (let i = 1; i <= 3; i++) {
    records.push(await log.append(entry('sa', i)));
    records.push(
      await log.append(entry('sb', i, { decision: 'deny', outcome: 'denied', reason: 'path excluded' })),
    );
  }
  await log.close();
});
afterEach(async () => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

/** Runs `trustmesh audit …` in-process the way main() does; returns exit code and output. */
async function run(...args: string[]) {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const program = new Command('trustmesh').exitOverride();
  registerAuditCommands(program);
  let code: number;
  try {
    await program.parseAsync(['audit', ...args], { from: 'user' });
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    code = reportFailure(err, args.includes('--json'));
  } finally {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  }
  return { code, stdout, stderr };
}

describe('trustmesh audit', () => {
  it('tail shows the latest records of one session, one line each', async () => {
    const { code, stdout } = await run('tail', '--dir', join(dir, 'log'), '--session', 'sb', '-n', '2');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('sb#2  filesystem.read_file  deny/denied  active');
    expect(lines[1]).toContain('path excluded');
  });

  it('tail --json prints records exactly as logged', async () => {
    const { stdout } = await run('tail', '--dir', join(dir, 'log'), '--json');
    expect(
      stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(records);
  });

  it('verify passes an intact log and exits 1 with line, kind and advice on a tampered one', async () => {
    const ok = await run('verify', '--dir', join(dir, 'log'));
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.stdout).toContain('Verified 6 records in 2 sessions');

    const segment = join(dir, 'log', 'audit-000000000001.jsonl');
    const lines = (await readFile(segment, 'utf8')).split('\n');
    lines[2] = (lines[2] as string).replace('file-2', 'file-9');
    await writeFile(segment, lines.join('\n'));
    const bad = await run('verify', '--dir', join(dir, 'log'));
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`${segment}:3: modified (session sa, seq 2)`);
    expect(bad.stdout).toContain('What to do:');

    const json = await run('verify', '--file', segment, '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, findings: [{ kind: 'modified', line: 3 }] });
  });

  it('verify refuses to call a missing log intact', async () => {
    const { code, stderr } = await run('verify', '--dir', join(dir, 'nowhere'));
    expect(code).toBe(1);
    expect(stderr).toMatch(/There is no audit log in .*nowhere; pass --dir/);
  });

  it('export writes JSON lines filtered by session and time, byte for byte as logged', async () => {
    const { stdout } = await run(
      'export',
      '--dir',
      join(dir, 'log'),
      '--session',
      'sa',
      '--since',
      '2025-01-06T09:00:02Z',
    );
    const exported = stdout.trimEnd().split('\n');
    expect(exported.map((l) => JSON.parse(l))).toEqual(
      records.filter((r) => r.session === 'sa' && r.seq >= 2),
    );
    const logged = await readFile(join(dir, 'log', 'audit-000000000001.jsonl'), 'utf8');
    for (const line of exported) expect(logged).toContain(line);
  });

  it('every subcommand has help with examples', async () => {
    for (const sub of ['tail', 'verify', 'export']) {
      const { stdout } = await run(sub, '--help');
      expect(stdout).toContain('Examples:');
      expect(stdout).toContain(`trustmesh audit ${sub}`);
    }
  });
});

describe('readRecords with follow', () => {
  it('yields records appended after it started and stops when aborted', async () => {
    const stop = new AbortController();
    const seen: number[] = [];
    const following = (async () => {
      for await (const read of readRecords(
        join(dir, 'log'),
        { session: 'sa' },
        { signal: stop.signal, pollIntervalMs: 10 },
      )) {
        seen.push(read.record.seq);
        if (seen.length === 5) stop.abort();
      }
    })();
    const log = await AuditLog.open({ dir: join(dir, 'log'), maxSegmentBytes: 1 });
    await log.append(entry('sb', 4));
    await log.append(entry('sa', 4));
    await log.append(entry('sa', 5));
    await log.close();
    await following;
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });
});
