import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileRevocationList, RevocationError } from '../../../../src/pki/revocation/index.js';

let dir: string;
let path: string;
const clock = () => Date.parse('2026-03-01T10:00:00Z');

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trustmesh-revocation-'));
  path = join(dir, 'revocations.json');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('FileRevocationList', () => {
  it('records a revocation, answers isRevoked, and another reader sees it after refresh', async () => {
    const writer = await FileRevocationList.open(path, { clock });
    const reader = await FileRevocationList.open(path);
    const entry = await writer.revoke({ kind: 'cert', id: '4A1B2C', reason: 'key compromise' });
    expect(entry).toEqual({
      kind: 'cert',
      id: '4a1b2c',
      reason: 'key compromise',
      revokedAt: '2026-03-01T10:00:00.000Z',
    });
    expect(writer.isRevoked('4a1b2c')).toBe(true);
    expect(reader.isRevoked('4a1b2c')).toBe(false);
    await reader.refresh();
    expect(reader.isRevoked('4a1b2c')).toBe(true);
    expect(reader.isRevoked('ffff')).toBe(false);
    expect(((await stat(path)).mode & 0o777).toString(8)).toBe('644');
  });

  it('keeps the first record when an id is revoked twice, and keeps revocations by others', async () => {
    const a = await FileRevocationList.open(path);
    const b = await FileRevocationList.open(path);
    await a.revoke({ kind: 'token', id: 'jti-1', reason: 'first' });
    await b.revoke({ kind: 'token', id: 'jti-2' });
    expect((await a.revoke({ kind: 'token', id: 'jti-1', reason: 'again' })).reason).toBe('first');
    await a.refresh();
    expect(
      a
        .list()
        .map((r) => r.id)
        .sort(),
    ).toEqual(['jti-1', 'jti-2']);
    expect(JSON.parse(await readFile(path, 'utf8')).revocations).toHaveLength(2);
  });

  it('refuses ids that are neither serials nor jtis', async () => {
    const list = await FileRevocationList.open(path);
    await expect(list.revoke({ kind: 'cert', id: '../etc' })).rejects.toBeInstanceOf(RevocationError);
    await expect(list.revoke({ kind: 'other' as 'cert', id: 'ab' })).rejects.toThrow(/kind 'other'/);
  });

  it('fails closed on a corrupt file instead of reading it as empty', async () => {
    await writeFile(path, '{"version":1,"revocations":[{"id":"x"}]}');
    await expect(FileRevocationList.open(path)).rejects.toMatchObject({ code: 'ERR_REVOCATION' });
  });
});
