import { afterAll, describe, expect, it } from 'vitest';
import {
  createFsResolver,
  decide,
  EMPTY_COUNTERS,
  EMPTY_HISTORY,
  ReasonCode,
  recordCall,
  Verdict,
} from '../../../src/policy/index.js';
import { github, input, makeCheckout, manualClock, readFile, seedBundle } from './helpers.js';

const checkout = makeCheckout();
afterAll(() => checkout.cleanup());
const bundle = seedBundle(checkout.root);
const clock = manualClock(1_000);
const resolver = createFsResolver();
const run = (call: Parameters<typeof input>[0], over = {}) =>
  decide(bundle, input(call, over), clock, resolver);

describe('the seed grant, end to end', () => {
  it('loads as written and names the policy version on every decision', () => {
    expect(bundle.purposes.get('code-review')?.sessionId).toBe('sess_abc123');
    expect(run(readFile('src/a.ts')).policyVersion).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('allows reading TypeScript sources under src/', () => {
    for (const path of ['src/a.ts', 'src/x/b.tsx', `${checkout.root}/src/a.ts`]) {
      const d = run(readFile(path));
      expect(d, path).toMatchObject({
        verdict: Verdict.Allow,
        reason: ReasonCode.Allowed,
        rule: 'seed-code-review.yaml:18',
      });
    }
    expect(run(readFile('src/a.ts')).resource).toBe('src/a.ts');
  });

  it('denies .env files and anything named like secrets, citing the exclude line', () => {
    expect(run(readFile('src/secrets.ts'))).toMatchObject({
      reason: ReasonCode.DenyExcluded,
      rule: 'seed-code-review.yaml:20',
    });
    expect(run(readFile('src/.env.ts'))).toMatchObject({ reason: ReasonCode.DenyExcluded });
    expect(run(readFile('.env'))).toMatchObject({ reason: ReasonCode.DenyExcluded });
    expect(run(readFile('src/env.ts'))).toMatchObject({ reason: ReasonCode.DenyExcluded, resource: '.env' });
  });

  it('denies sources outside src/ and files that are not TypeScript', () => {
    expect(run(readFile('package.json')).reason).toBe(ReasonCode.DenyOutOfScope);
    expect(run(readFile('src/a.js')).reason).toBe(ReasonCode.DenyOutOfScope);
  });

  it('denies write_file, merge_pull_request and database.query with the line that forbids them', () => {
    const write = {
      method: 'tools/call',
      server: 'filesystem',
      tool: 'write_file',
      args: { path: 'src/a.ts', content: '' },
    };
    expect(run(write)).toMatchObject({
      verdict: Verdict.Deny,
      reason: ReasonCode.DenyNotAllowed,
      rule: 'seed-code-review.yaml:22',
    });
    expect(run(github('merge_pull_request'))).toMatchObject({
      reason: ReasonCode.DenyNotAllowed,
      rule: 'seed-code-review.yaml:16',
    });
    const query = { method: 'tools/call', server: 'database', tool: 'query', args: { sql: 'select 1' } };
    expect(run(query)).toMatchObject({ reason: ReasonCode.DenyNotAllowed, rule: 'seed-code-review.yaml:24' });
  });

  it('allows create_comment only after get_pull_request succeeded on the same PR', () => {
    expect(run(github('create_comment'))).toMatchObject({
      reason: ReasonCode.DenyRequires,
      rule: 'seed-code-review.yaml:14',
    });
    const read = run(github('get_pull_request'));
    expect(read).toMatchObject({ verdict: Verdict.Allow, resource: 'org/repo#5' });

    const failed = recordCall(
      EMPTY_HISTORY,
      EMPTY_COUNTERS,
      { key: 'github.get_pull_request', resource: read.resource },
      { ok: false },
      clock,
    );
    expect(run(github('create_comment'), failed).reason).toBe(ReasonCode.DenyRequires);

    const other = recordCall(
      EMPTY_HISTORY,
      EMPTY_COUNTERS,
      { key: 'github.get_pull_request', resource: 'org/repo#6' },
      { ok: true },
      clock,
    );
    expect(run(github('create_comment'), other).reason).toBe(ReasonCode.DenyRequires);

    const done = recordCall(
      EMPTY_HISTORY,
      EMPTY_COUNTERS,
      { key: 'github.get_pull_request', resource: read.resource },
      { ok: true },
      clock,
    );
    expect(run(github('create_comment'), done)).toMatchObject({
      verdict: Verdict.Allow,
      resource: 'org/repo#5',
    });
    expect(run(github('create_comment', 5, 'REPO'), done).verdict).toBe(Verdict.Allow);
    expect(run(github('create_comment', 6), done).reason).toBe(ReasonCode.DenyRequires);
  });

  it('keeps PR scope to org/repo', () => {
    expect(run(github('get_pull_request', 5, 'other')).reason).toBe(ReasonCode.DenyOutOfScope);
  });

  it('binds the grant to its user and expires it after its ttl', () => {
    expect(run(readFile('src/a.ts'), { principal: 'mallory@example.com' }).reason).toBe(
      ReasonCode.DenyPrincipal,
    );
    clock.set(3_600_000 - 1);
    expect(run(readFile('src/a.ts')).verdict).toBe(Verdict.Allow);
    clock.set(3_600_000);
    expect(run(readFile('src/a.ts'))).toMatchObject({
      reason: ReasonCode.DenySessionExpired,
      rule: 'seed-code-review.yaml:6',
    });
    clock.set(1_000);
  });
});
