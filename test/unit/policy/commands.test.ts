import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diffCommand, explainCommand, validateCommand } from '../../../src/policy/commands/index.js';
import type { PolicyFile } from '../../../src/policy/index.js';
import { catalogue, fixture, makeCheckout } from './helpers.js';

const checkout = makeCheckout();
const dir = mkdtempSync(join(tmpdir(), 'tm-policy-cli-'));
afterAll(() => {
  checkout.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** A policy directory on disk holding `files`. */
function policyDir(name: string, files: PolicyFile[]): string {
  const path = join(dir, name);
  mkdirSync(path, { recursive: true });
  for (const f of files) writeFileSync(join(path, f.name), f.text);
  return path;
}

const seed = fixture('seed-code-review.yaml');
const good = policyDir('good', [seed, catalogue(checkout.root)]);
const pr5 = '{"owner":"org","repo":"repo","pull_number":5}';

describe('policy validate', () => {
  it('exits 0 with a summary naming purposes, tools and the version', async () => {
    const r = await validateCommand({ paths: [good] });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/policy is valid: 2 file\(s\), 1 purpose\(s\), 6 catalogued tool\(s\)/);
    expect(r.stdout).toMatch(/code-review \(standard\): 3 tool\(s\) allowed, 3 explicitly denied/);
    expect(r.stdout).toMatch(/version sha256:[0-9a-f]{64}/);
  });

  it('notes granted tools that no catalogue names yet', async () => {
    const r = await validateCommand({ paths: [policyDir('seed-only', [seed])], json: true });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).uncatalogued).toEqual([
      'filesystem.read_file',
      'github.create_comment',
      'github.get_pull_request',
    ]);
  });

  it('exits 1 listing every problem with file:line', async () => {
    const bad = policyDir('bad', [
      {
        name: 'p.yaml',
        text: 'purposes:\n  p:\n    tier: root\n    tools:\n      a.b: { allowed: maybe }\n',
      },
    ]);
    const r = await validateCommand({ paths: [bad] });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/p\.yaml:3:5: purposes\.p\.tier: "root" is not one of/);
    expect(r.stdout).toMatch(/p\.yaml:5:\d+: purposes\.p\.tools\.a\.b\.allowed: expected true or false/);
    expect(r.stdout).toMatch(/Fix these and run the command again/);
    const missing = await validateCommand({ paths: [join(dir, 'nope')], json: true });
    expect(missing.exitCode).toBe(1);
    expect(JSON.parse(missing.stdout).issues[0].message).toMatch(/cannot read it \(ENOENT\)/);
  });
});

describe('policy explain', () => {
  it('prints verdict, reason, rule and a one-line explanation', async () => {
    const r = await explainCommand({
      policy: [good],
      purpose: 'code-review',
      tool: 'github.create_comment',
      args: pr5,
    });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual([
      'deny: DENY_REQUIRES (rule seed-code-review.yaml:14)',
      'github.create_comment on org/repo#5 (write) for purpose code-review',
      'a required tool has not yet succeeded in this session on the same resource',
    ]);
  });

  it('takes a history and answers in JSON', async () => {
    const history = `[{"tool":"github.get_pull_request","args":${pr5}}]`;
    const r = await explainCommand({
      policy: [good],
      purpose: 'code-review',
      tool: 'github.create_comment',
      args: pr5,
      history,
      json: true,
    });
    expect(JSON.parse(r.stdout)).toMatchObject({
      verdict: 'allow',
      reason: 'ALLOWED',
      rule: 'seed-code-review.yaml:12',
      resource: 'org/repo#5',
    });
  });

  it('explains a path decision through the real checkout', async () => {
    const r = await explainCommand({
      policy: [good],
      purpose: 'code-review',
      tool: 'filesystem.read_file',
      args: '{"path":"src/env.ts"}',
      json: true,
    });
    expect(JSON.parse(r.stdout)).toMatchObject({
      verdict: 'deny',
      reason: 'DENY_EXCLUDED',
      resource: '.env',
    });
  });

  it('exits 2 on bad flags, saying what to pass instead', async () => {
    const r = await explainCommand({
      policy: [good],
      purpose: 'code-review',
      tool: 'github.create_comment',
      args: '{oops',
    });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toMatch(/--args is not valid JSON .*pass e\.g\. --args/);
    const state = await explainCommand({
      policy: [good],
      purpose: 'code-review',
      tool: 'github.x',
      state: 'calm',
    });
    expect(state.stdout).toMatch(/--state "calm" is unknown; use one of active/);
  });
});

describe('policy diff', () => {
  const changed = policyDir('changed', [
    {
      name: seed.name,
      text: seed.text
        .replace('scope: "src/**/*.{ts,tsx}"', 'scope: "src/**"')
        .replace(
          '    database.query:\n      allowed: false  # not relevant to code review\n',
          '    github.list_files:\n      allowed: true\n',
        ),
    },
    catalogue(checkout.root),
  ]);

  it('lists added, removed and changed (purpose, tool) grants and exits 1', async () => {
    const r = await diffCommand({ a: [good], b: [changed] });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe(
      [
        '- code-review database.query (removed)',
        '~ code-review filesystem.read_file (changed)',
        '    scope: src/**/*.{ts,tsx} → src/**',
        '+ code-review github.list_files (added)',
        '3 grant(s) changed',
        '',
      ].join('\n'),
    );
    const asJson = JSON.parse((await diffCommand({ a: [good], b: [changed], json: true })).stdout);
    expect(asJson.changes).toHaveLength(3);
  });

  it('exits 0 when nothing changed', async () => {
    expect(await diffCommand({ a: [good], b: [good] })).toEqual({
      exitCode: 0,
      stdout: 'no grant changed\n',
    });
  });
});
