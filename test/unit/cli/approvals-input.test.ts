import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { approverArgs, approverOptions } from '../../../src/cli/approver-flags.js';
import { readIdToken } from '../../../src/cli/id-token.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trustmesh-id-token-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('--id-token', () => {
  it('reads one token from a file, trimmed', async () => {
    await writeFile(join(dir, 't'), '  eyJ.a.b\n');
    expect(await readIdToken(join(dir, 't'))).toBe('eyJ.a.b');
  });

  it.each([
    ['an empty file', ''],
    ['two tokens', 'eyJ.a.b eyJ.c.d'],
    ['more than 16 KiB', 'x'.repeat(16_385)],
  ])('refuses %s with ERR_ID_TOKEN_FILE', async (_, text) => {
    await writeFile(join(dir, 't'), text);
    await expect(readIdToken(join(dir, 't'))).rejects.toMatchObject({ code: 'ERR_ID_TOKEN_FILE' });
  });

  it('names a file it cannot read and how to pipe the token instead', async () => {
    await expect(readIdToken(join(dir, 'missing'))).rejects.toThrow(/--id-token -/);
  });
});

describe('--approver-issuer and --approver-audience', () => {
  it('configure no provider when absent, and both are needed together', () => {
    expect(approverOptions({})).toBeUndefined();
    expect(() => approverOptions({ approverIssuer: 'https://idp.example' })).toThrow(/both/);
    expect(() => approverOptions({ approverJwksUri: 'https://idp.example/jwks' })).toThrow(/both/);
  });

  it('are handed on to a child node as given', () => {
    const flags = {
      approverIssuer: 'https://idp.example',
      approverAudience: 'mesh',
      approverJwksUri: 'https://k',
    };
    expect(approverOptions(flags)).toEqual({
      issuer: 'https://idp.example',
      audience: 'mesh',
      jwksUri: 'https://k',
    });
    expect(approverArgs(flags)).toEqual([
      '--approver-issuer',
      'https://idp.example',
      '--approver-audience',
      'mesh',
      '--approver-jwks-uri',
      'https://k',
    ]);
    expect(approverArgs({})).toEqual([]);
  });
});
