import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerPkiCommands } from '../../../src/cli/pki.js';
import { pkiLayout } from '../../../src/pki/index.js';

let dir: string;
let written: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trustmesh-pki-cli-'));
  written = [];
  const capture = (chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

/** Runs `trustmesh pki …` in-process and returns what it printed. */
async function pki(...args: string[]): Promise<string> {
  const program = new Command('trustmesh').exitOverride();
  registerPkiCommands(program);
  const from = written.length;
  await program.parseAsync(['node', 'trustmesh', 'pki', ...args, '--dir', dir]);
  return written.slice(from).join('');
}

const json = async (...args: string[]) => JSON.parse(await pki(...args, '--json'));

describe('trustmesh pki', () => {
  it('has init, issue, renew, revoke and show, each with --help, --json and --dir', () => {
    const program = new Command('trustmesh');
    registerPkiCommands(program);
    const commands = program.commands.find((c) => c.name() === 'pki')?.commands ?? [];
    expect(commands.map((c) => c.name())).toEqual(['init', 'issue', 'renew', 'revoke', 'show']);
    for (const command of commands) {
      const help = command.helpInformation();
      for (const flag of ['-h, --help', '--json', '--dir <dir>']) expect(help).toContain(flag);
      expect(command.description().length).toBeGreaterThan(30);
    }
  });

  it('init, issue, show, revoke, renew: with --json, keys 0600, and no key material ever printed', async () => {
    const init = await json('init');
    expect(init).toMatchObject({ ok: true, root: { subject: expect.stringContaining('root CA') } });
    const layout = pkiLayout(dir);
    for (const key of [layout.rootKey, layout.intermediateKey])
      expect((await stat(key)).mode & 0o777).toBe(0o600);

    const issued = await json(
      'issue',
      '--kind',
      'nats-server',
      '--name',
      'nats-1',
      '--ttl',
      '30m',
      '--san',
      'localhost',
      '--san',
      '127.0.0.1',
    );
    const leaf = issued.certificate;
    expect(leaf.sans).toEqual(['url:urn:trustmesh:nats-server:nats-1', 'dns:localhost', 'ip:127.0.0.1']);
    expect(Date.parse(leaf.notAfter) - Date.now()).toBeLessThanOrEqual(30 * 60_000);
    expect((await stat(leaf.keyFile)).mode & 0o777).toBe(0o600);

    expect((await json('show')).issued).toEqual([
      expect.objectContaining({ serial: leaf.serial, revoked: false }),
    ]);
    expect(await pki('revoke', '--serial', leaf.serial, '--reason', 'key compromise')).toContain(
      `Revoked certificate ${leaf.serial}`,
    );
    expect((await json('show')).issued[0].revoked).toBe(true);

    const renewed = (await json('renew', '--kind', 'nats-server', '--name', 'nats-1')).certificate;
    expect(renewed.serial).not.toBe(leaf.serial);
    expect(renewed.sans).toEqual(leaf.sans);
    expect(await pki('show')).toContain('nats-server nats-1  CN=nats-1');

    const printed = written.join('');
    const keyBodies = await Promise.all(
      [layout.rootKey, layout.intermediateKey, leaf.keyFile].map((f) => readFile(f, 'utf8')),
    );
    expect(printed).not.toContain('PRIVATE KEY');
    for (const body of keyBodies) {
      const base64 = body.split('\n').filter((line) => line && !line.startsWith('-----'))[0] ?? '';
      expect(base64.length).toBeGreaterThan(20);
      expect(printed).not.toContain(base64);
    }
  });

  it('says what to do next when the PKI is missing or already exists', async () => {
    await expect(pki('issue', '--kind', 'node', '--name', 'n1')).rejects.toThrow(
      /run 'trustmesh pki init' first/,
    );
    await pki('init');
    await expect(pki('init')).rejects.toMatchObject({
      code: 'ERR_PKI_STORE',
      message: expect.stringContaining('move the directory aside'),
    });
    await expect(pki('issue', '--kind', 'laptop', '--name', 'n1')).rejects.toThrow(/--kind 'laptop'/);
    await expect(pki('issue', '--kind', 'node', '--name', 'n1', '--ttl', 'soon')).rejects.toThrow(
      /e.g. 90s, 30m, 1h/,
    );
    await expect(pki('renew', '--kind', 'node', '--name', 'ghost')).rejects.toThrow(/issue it first/);
    await expect(pki('revoke')).rejects.toThrow(/exactly one of --serial or --jti/);
  });
});
