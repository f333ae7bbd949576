import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newPrivateJwk } from '../../../src/pki/key-store.js';
import { readSessionFile, type SessionFile, writeSessionFile } from '../../../src/pki/session-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trustmesh-session-file-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const agentKey = newPrivateJwk();
const file = (): SessionFile => ({
  version: 1,
  sessionId: 'abc',
  prefix: 'tm',
  natsUrl: 'nats://127.0.0.1:4222',
  agentKey,
  meshKeys: [],
  token: 'h.p.s',
  natsCreds: '-----BEGIN NATS USER JWT-----',
  tls: { caPem: 'root', chainPem: 'leaf+intermediate', keyPem: 'key' },
});

describe('session file', () => {
  it('round-trips token, NATS credentials and client certificate, readable by its owner only', async () => {
    const path = join(dir, 's.json');
    await writeSessionFile(path, file());
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readSessionFile(path)).toEqual(file());
  });

  it('refuses a file without a session token, or with credentials or a certificate that are not text', async () => {
    const { token: _token, ...untokened } = file();
    const cases = [
      untokened,
      { ...file(), natsCreds: 42 },
      { ...file(), tls: { caPem: 'root', chainPem: 'leaf' } },
    ];
    for (const [i, body] of cases.entries()) {
      const path = join(dir, `${i}.json`);
      await writeFile(path, JSON.stringify(body));
      await expect(readSessionFile(path)).rejects.toThrow(/not a trustmesh session file/);
    }
  });
});
