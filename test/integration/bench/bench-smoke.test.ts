import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

describe('npm run bench (smoke)', () => {
  it('prints the baseline figures as one JSON object on the last stdout line', {
    timeout: 120_000,
  }, async () => {
    const { stdout, stderr } = await run(tsx, ['bench/main.ts', '--quick', '--json', '--only', 'nats,http'], {
      cwd: root,
      timeout: 110_000,
    });
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const figures = JSON.parse(lines.at(-1) ?? '') as Record<string, unknown>;
    const expected = ['nats_rr', 'mcp_http'].flatMap((prefix) => [
      `${prefix}_p50_us`,
      `${prefix}_p99_us`,
      `${prefix}_rps`,
    ]);
    expect(Object.keys(figures).sort()).toEqual(expected.sort());
    for (const key of expected) {
      expect(typeof figures[key], key).toBe('number');
      expect(figures[key], key).toBeGreaterThan(0);
    }
    // The table goes to stderr with --json, so a human still sees it.
    expect(stderr).toContain('nats_rr_p50_us');
  });

  it('refuses an unknown group with a usage error and exit code 2', { timeout: 60_000 }, async () => {
    const failure = await run(tsx, ['bench/main.ts', '--only', 'nope'], { cwd: root }).catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain('choose from: nats');
  });
});
