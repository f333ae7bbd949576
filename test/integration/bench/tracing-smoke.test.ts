import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

describe('npm run bench: tracing on and off (smoke)', () => {
  it('measures the mesh call without and with the SDK exporting, and judges the ratio', {
    timeout: 180_000,
  }, async () => {
    const { stdout, stderr } = await run(tsx, ['bench/main.ts', '--quick', '--json', '--only', 'tracing'], {
      cwd: root,
      timeout: 170_000,
    });
    const figures = JSON.parse(stdout.trimEnd().split('\n').at(-1) ?? '') as Record<string, number>;
    for (const prefix of ['tracing_off', 'tracing_on']) {
      for (const figure of ['p50_us', 'p99_us', 'rps']) {
        expect(figures[`${prefix}_${figure}`], `${prefix}_${figure}`).toBeGreaterThan(0);
      }
    }
    expect(stderr).toMatch(/^tracing_on_rps .*tracing_off_rps.*(PASS|MISS)$/m);
  });
});
