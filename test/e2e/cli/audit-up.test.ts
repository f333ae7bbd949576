import { type ChildProcess, execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../src/audit/index.js';
import { CLI, startUp, stopUp } from '../../support/up-process.js';

// `up` starts nats-server, a node, a broker and a session through tsx: slow on a loaded 2-core machine.
const UP_READY_MS = 120_000;
// Each step spawns the bridge or the CLI through tsx: seconds apiece on that machine.
const STEP_MS = 90_000;

interface UpReady {
  sessionId: string;
  auditDir: string;
  bridge: string[];
}

/** Runs `trustmesh <args>`; resolves with its exit code and stdout. */
function runCli(...args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) =>
    execFile(CLI[0]!, [...CLI.slice(1), ...args], (err, stdout) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout }),
    ),
  );
}

describe('the audit log of a running trustmesh up mesh', () => {
  let dir: string;
  let up: ChildProcess;
  let ready: UpReady;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trustmesh-audit-up-'));
    ({ up, ready } = await startUp<UpReady>(dir));
  }, UP_READY_MS);

  afterAll(async () => {
    await stopUp(up);
    await rm(dir, { recursive: true, force: true });
  });

  it(
    'shows allowed and denied calls in audit tail --json, and audit verify passes',
    async () => {
      const [command, ...args] = ready.bridge;
      const client = new Client({ name: 'e2e-audit', version: '1.0.0' });
      await client.connect(new StdioClientTransport({ command: command!, args, stderr: 'inherit' }));
      try {
        await client.callTool({ name: 'filesystem.read_text_file', arguments: { path: 'src/index.ts' } });
        await expect(
          client.callTool({ name: 'filesystem.read_text_file', arguments: { path: '.env' } }),
        ).rejects.toThrow(/DENY_EXCLUDED/);
      } finally {
        await client.close();
      }

      const tail = await runCli(
        'audit',
        'tail',
        '--dir',
        ready.auditDir,
        '--session',
        ready.sessionId,
        '--json',
      );
      expect(tail.code).toBe(0);
      const records = tail.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as AuditRecord)
        .filter((r) => r.tool === 'filesystem.read_text_file');
      const who = { session: ready.sessionId, principal: 'demo@trustmesh.local', purpose: 'code-review' };
      expect(records).toMatchObject([
        {
          ...who,
          decision: 'allow',
          outcome: 'unknown',
          arguments: { path: 'src/index.ts' },
          state: 'active',
        },
        { ...who, decision: 'allow', outcome: 'ok' },
        { ...who, decision: 'deny', outcome: 'denied', arguments: { path: '.env' } },
      ]);
      expect(records[1]!.bytesOut).toBeGreaterThan(0);
      expect(records[2]!.reason).toMatch(/^DENY_EXCLUDED: /);
      expect(records.every((r) => r.policyVersion.startsWith('sha256:') && r.rule !== null)).toBe(true);

      const verify = await runCli('audit', 'verify', '--dir', ready.auditDir, '--json');
      expect(verify.code).toBe(0);
      expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, findings: [] });
    },
    STEP_MS,
  );

  it(
    'audit verify finds a record modified on disk',
    async () => {
      const copy = join(dir, 'audit-copy');
      await cp(ready.auditDir, copy, { recursive: true });
      const segment = join(copy, (await readdir(copy)).find((f) => f.endsWith('.jsonl'))!);
      const text = await readFile(segment, 'utf8');
      await writeFile(segment, text.replace('"decision":"deny"', '"decision":"allow"'));

      const verify = await runCli('audit', 'verify', '--dir', copy, '--json');
      expect(verify.code).toBe(1);
      const report = JSON.parse(verify.stdout) as { ok: boolean; findings: { kind: string }[] };
      expect(report.ok).toBe(false);
      expect(report.findings.map((f) => f.kind)).toContain('modified');
    },
    STEP_MS,
  );
});
