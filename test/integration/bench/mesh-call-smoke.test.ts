import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

describe('npm run bench: the call path (smoke)', () => {
  it('measures mesh_call_* beside nats_chain_* and judges them against that baseline', {
    timeout: 180_000,
  }, async () => {
    const { stdout, stderr } = await run(
      tsx,
      ['bench/main.ts', '--quick', '--json', '--only', 'mesh-call,nats-chain'],
      { cwd: root, timeout: 170_000 },
    );
    const figures = JSON.parse(stdout.trimEnd().split('\n').at(-1) ?? '') as Record<string, unknown>;
    const expected = ['nats_chain', 'mesh_call'].flatMap((prefix) => [
      `${prefix}_p50_us`,
      `${prefix}_p99_us`,
      `${prefix}_rps`,
    ]);
    // The runner's order, not the order asked for: the baseline runs before its subject.
    expect(Object.keys(figures)).toEqual(expected);
    for (const key of expected) {
      expect(figures[key], key).toBeGreaterThan(0);
    }
    // Both call-path targets are judged against the chain baseline measured in the same run.
    const verdicts = stderr.split('\n').filter((line) => /^mesh_call_(p50_us|rps) /.test(line));
    expect(verdicts).toHaveLength(2);
    for (const line of verdicts) {
      expect(line).toContain('nats_chain_');
      expect(line).toMatch(/(PASS|MISS)$/);
    }
  });
});
