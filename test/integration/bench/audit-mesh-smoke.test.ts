import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

describe('npm run bench: what audit costs the call path (smoke)', () => {
  it('measures audit_on_rps beside audit_off_rps and judges the ratio', { timeout: 180_000 }, async () => {
    const { stdout, stderr } = await run(
      tsx,
      ['bench/main.ts', '--quick', '--json', '--only', 'audit-mesh'],
      {
        cwd: root,
        timeout: 170_000,
      },
    );
    const figures = JSON.parse(stdout.trimEnd().split('\n').at(-1) ?? '') as Record<string, unknown>;
    expect(Object.keys(figures)).toEqual(['audit_on_rps', 'audit_off_rps', 'audit_fdatasync_ms']);
    for (const [key, value] of Object.entries(figures)) expect(value, key).toBeGreaterThan(0);
    const verdict = stderr.split('\n').find((line) => /^audit_on_rps /.test(line));
    expect(verdict).toContain('audit_off_rps');
    expect(verdict).toMatch(/(PASS|MISS)$/);
  });
});
