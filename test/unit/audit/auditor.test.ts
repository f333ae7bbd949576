import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog, Auditor } from '../../../src/audit/index.js';
import { entry } from './entries.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('Auditor', () => {
  it('redacts arguments and reason, stamps the time from its clock, and resolves with the durable record', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tm-auditor-'));
    dirs.push(dir);
    const log = await AuditLog.open({ dir });
    const auditor = new Auditor({
      log,
      redaction: { drop: ['content'] },
      clock: () => Date.UTC(2025, 0, 6, 9, 30),
    });
    const { time: _time, ...call } = entry('sa', 1, {
      tool: 'filesystem.write_file',
      reason: 'refused: token ghp_16C7e42F292c6912E7710c838347Ae178B4a is not yours',
    });
    const record = await auditor.record({
      ...call,
      arguments: {
        path: 'notes.txt',
        content: 'AKIAIOSFODNN7EXAMPLE',
        headers: { Authorization: 'Basic abc' },
      },
    });
    expect(record).toMatchObject({
      time: '2025-01-06T09:30:00.000Z',
      seq: 1,
      arguments: {
        path: 'notes.txt',
        content: '[REDACTED:drop]',
        headers: { Authorization: '[REDACTED:key]' },
      },
      reason: 'refused: token [REDACTED:github-token] is not yours',
    });
    const onDisk = await readFile(join(dir, 'audit-000000000001.jsonl'), 'utf8');
    expect(JSON.parse(onDisk)).toEqual(record);
    expect(onDisk).not.toContain('AKIA');
    await log.close();
  });

  it("applies the call's policy redaction on top of its own: what either drops is dropped", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tm-auditor-'));
    dirs.push(dir);
    const log = await AuditLog.open({ dir });
    const auditor = new Auditor({ log, redaction: { drop: ['content'], keep: ['commit'] } });
    const token = 'q7Vx2LmR9tKp4WzN8cYb3HsJ6dFg1QeA5uTn';
    const { time: _time, ...call } = entry('sa', 1);
    const args = { body: 'hello', content: 'x', commit: token, digest: token };
    const plain = await auditor.record({ ...call, arguments: args });
    expect(plain.arguments).toEqual({
      body: 'hello',
      content: '[REDACTED:drop]',
      commit: token,
      digest: '[REDACTED:entropy]',
    });
    const withPolicy = await auditor.record({
      ...call,
      call: 'sa-call-2',
      arguments: args,
      redaction: { keep: ['digest', 'content'], drop: ['body', 'commit'] },
    });
    expect(withPolicy.arguments).toEqual({
      body: '[REDACTED:drop]',
      content: '[REDACTED:drop]',
      commit: '[REDACTED:drop]',
      digest: token,
    });
    await log.close();
  });
});
