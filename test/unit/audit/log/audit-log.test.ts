import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { entry } from '../entries.js';
import {
  type AuditFileSystem,
  AuditLog,
  type AuditRecord,
  GENESIS_HASH,
  nodeFileSystem,
  recordHash,
  segmentPathForTest,
  verifyAudit,
} from './imports.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tm-audit-'));
  dirs.push(dir);
  return dir;
}

/** The real file system, with every sync counted (and failing on demand). */
function countingFs(events: string[], failSync = () => false): AuditFileSystem {
  return {
    open: async (path, flags) => {
      const file = await nodeFileSystem.open(path, flags);
      const sync = (kind: string, real: () => Promise<void>) => async () => {
        if (failSync()) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
        await real();
        events.push(kind);
      };
      return {
        write: (buffer, offset, length) => file.write(buffer, offset, length),
        datasync: sync('datasync', () => file.datasync()),
        sync: sync('sync', () => file.sync()),
        close: () => file.close(),
      };
    },
  };
}

describe('AuditLog', () => {
  it('chains each session from the genesis hash, seq by seq', async () => {
    const log = await AuditLog.open({ dir: await tempDir() });
    const a1 = await log.append(entry('sa', 1));
    const b1 = await log.append(entry('sb', 1));
    const a2 = await log.append(entry('sa', 2));
    expect([a1.seq, b1.seq, a2.seq]).toEqual([1, 1, 2]);
    expect(a1.prev).toBe(GENESIS_HASH);
    expect(a2.prev).toBe(a1.hash);
    expect(recordHash(a2)).toBe(a2.hash);
    await log.close();
  });

  it('group-commits 200 concurrent appends into a few syncs, each resolving after its sync', async () => {
    const events: string[] = [];
    const log = await AuditLog.open({ dir: await tempDir(), fileSystem: countingFs(events) });
    const appends = Array.from({ length: 200 }, (_, i) =>
      log.append(entry(`s${i % 7}`, i)).then((r: AuditRecord) => {
        events.push(`resolved:${r.call}`);
        return r;
      }),
    );
    const records = await Promise.all(appends);
    const syncs = events.filter((e) => e === 'datasync').length;
    expect(records).toHaveLength(200);
    expect(syncs).toBeGreaterThan(0);
    expect(syncs).toBeLessThanOrEqual(10);
    expect(log.stats()).toMatchObject({ appends: 200, syncs });
    // No append resolved before some sync had completed after its batch was written.
    expect(events.indexOf('datasync')).toBeLessThan(events.findIndex((e) => e.startsWith('resolved:')));
    await log.close();
  });

  it('resolves a batch only after its own sync, not an earlier one', async () => {
    const events: string[] = [];
    const log = await AuditLog.open({
      dir: await tempDir(),
      fileSystem: countingFs(events),
      maxBatchRecords: 10,
    });
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        log.append(entry('s', i)).then(() => events.push(`resolved:${i}`)),
      ),
    );
    // With batches of 10, record i resolves after at least floor(i / 10) + 1 syncs.
    for (let i = 0; i < 30; i++) {
      const before = events.slice(0, events.indexOf(`resolved:${i}`)).filter((e) => e === 'datasync').length;
      expect(before).toBeGreaterThanOrEqual(Math.floor(i / 10) + 1);
    }
    await log.close();
  });

  it('fails closed when sync fails: that append and every later one reject with ERR_AUDIT_UNAVAILABLE', async () => {
    let broken = false;
    const log = await AuditLog.open({ dir: await tempDir(), fileSystem: countingFs([], () => broken) });
    await log.append(entry('s', 1));
    broken = true;
    await expect(log.append(entry('s', 2))).rejects.toMatchObject({ code: 'ERR_AUDIT_UNAVAILABLE' });
    broken = false;
    await expect(log.append(entry('s', 3))).rejects.toMatchObject({ code: 'ERR_AUDIT_UNAVAILABLE' });
    expect(log.failure?.message).toMatch(/Calls are refused/);
    await log.close();
  });

  it('fails closed on a real ENOSPC: records written to /dev/full', async () => {
    // /dev/full fails every write with ENOSPC, for root too (a read-only directory would not stop root).
    const full: AuditFileSystem = {
      open: (path, flags) => nodeFileSystem.open(path.endsWith('.jsonl') ? '/dev/full' : path, flags),
    };
    const log = await AuditLog.open({ dir: await tempDir(), fileSystem: full });
    const first = log.append(entry('s', 1));
    const second = log.append(entry('s', 2));
    await expect(first).rejects.toMatchObject({ code: 'ERR_AUDIT_UNAVAILABLE' });
    await expect(second).rejects.toMatchObject({ code: 'ERR_AUDIT_UNAVAILABLE' });
    await expect(log.append(entry('s', 3))).rejects.toMatchObject({ code: 'ERR_AUDIT_UNAVAILABLE' });
    expect((log.failure as Error).cause).toMatchObject({ code: 'ENOSPC' });
    await log.close();
  });

  it('refuses an entry that does not match the schema without touching the chain', async () => {
    const log = await AuditLog.open({ dir: await tempDir() });
    await expect(log.append({ ...entry('s', 1), decision: 'maybe' as 'allow' })).rejects.toMatchObject({
      code: 'ERR_AUDIT_INVALID_RECORD',
    });
    expect((await log.append(entry('s', 1))).seq).toBe(1);
    await log.close();
  });

  it('cuts a torn last line on open and continues every chain from disk', async () => {
    const dir = await tempDir();
    const first = await AuditLog.open({ dir });
    await first.append(entry('sa', 1));
    const a2 = await first.append(entry('sa', 2));
    const b1 = await first.append(entry('sb', 1));
    await first.close();
    const segment = segmentPathForTest(dir, 1);
    const intact = await readFile(segment, 'utf8');
    await writeFile(segment, `${intact}{"v":1,"session":"sa","seq":3,"tool":"filesys`);

    const reopened = await AuditLog.open({ dir });
    expect(await readFile(segment, 'utf8')).toBe(intact);
    expect(reopened.head('sa')).toEqual({ seq: 2, hash: a2.hash });
    const a3 = await reopened.append(entry('sa', 3));
    const b2 = await reopened.append(entry('sb', 2));
    expect(a3).toMatchObject({ seq: 3, prev: a2.hash });
    expect(b2).toMatchObject({ seq: 2, prev: b1.hash });
    await reopened.close();
    expect((await verifyAudit({ dir })).findings).toEqual([]);
  });

  it('rotates segments by size and keeps the chain across them', async () => {
    const dir = await tempDir();
    const log = await AuditLog.open({ dir, maxSegmentBytes: 2_000 });
    for (let i = 1; i <= 12; i++) await log.append(entry('s', i));
    expect(log.stats().segment).toBeGreaterThan(2);
    await log.close();
    const reopened = await AuditLog.open({ dir, maxSegmentBytes: 2_000 });
    expect((await reopened.append(entry('s', 13))).seq).toBe(13);
    await reopened.close();
    expect(await verifyAudit({ dir })).toMatchObject({ records: 13, sessions: 1, findings: [] });
  });

  it('rejects appends after close and closes idempotently', async () => {
    const log = await AuditLog.open({ dir: await tempDir() });
    await log.close();
    await log.close();
    await expect(log.append(entry('s', 1))).rejects.toMatchObject({ code: 'ERR_AUDIT_UNAVAILABLE' });
  });

  it('lets one writer at a time open a log directory, and takes over the lock of a dead process', async () => {
    const dir = await tempDir();
    const log = await AuditLog.open({ dir });
    await expect(AuditLog.open({ dir })).rejects.toMatchObject({
      code: 'ERR_AUDIT_UNAVAILABLE',
      message: expect.stringMatching(/already open in process \d+ \(this one; close it first\)/),
    });
    await log.close();
    // A pid no process has: the lock a crashed node left behind.
    await writeFile(join(dir, 'LOCK'), '4194999');
    const reopened = await AuditLog.open({ dir });
    expect(await readFile(join(dir, 'LOCK'), 'utf8')).toBe(String(process.pid));
    await reopened.close();
  });
});
