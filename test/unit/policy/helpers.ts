import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../../src/clock.js';
import {
  type DecisionInput,
  EMPTY_COUNTERS,
  EMPTY_HISTORY,
  type PolicyBundle,
  type PolicyFile,
  parsePolicy,
  SessionState,
} from '../../../src/policy/index.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/policy');

export function fixture(name: string): PolicyFile {
  return { name, text: readFileSync(join(FIXTURES, name), 'utf8') };
}

/** The catalogue fixture with its filesystem root pointing at `root`. */
export function catalogue(root: string): PolicyFile {
  const file = fixture('catalogue.yaml');
  return { name: file.name, text: file.text.replace('root: ROOT', `root: ${root}`) };
}

/** The seed grant exactly as written, plus the catalogue. */
export function seedBundle(root: string): PolicyBundle {
  return parsePolicy([fixture('seed-code-review.yaml'), catalogue(root)]);
}

export const SEED_USER = '[email protected]';

export function input(call: DecisionInput['call'], over: Partial<DecisionInput> = {}): DecisionInput {
  return {
    purpose: 'code-review',
    principal: SEED_USER,
    state: SessionState.Active,
    sessionStartedAt: 0,
    history: EMPTY_HISTORY,
    counters: EMPTY_COUNTERS,
    call,
    ...over,
  };
}

export const readFile = (path: unknown) => ({
  method: 'tools/call',
  server: 'filesystem',
  tool: 'read_file',
  args: { path },
});
export const github = (tool: string, pull = 5, repo = 'repo') => ({
  method: 'tools/call',
  server: 'github',
  tool,
  args: { owner: 'org', repo, pull_number: pull },
});

/** A clock the test moves by hand. */
export function manualClock(start: number): Clock & { set(t: number): void; advance(ms: number): void } {
  let now = start;
  const clock = (() => now) as Clock & { set(t: number): void; advance(ms: number): void };
  clock.set = (t) => {
    now = t;
  };
  clock.advance = (ms) => {
    now += ms;
  };
  return clock;
}

/**
 * A real checkout on disk: `src/a.ts`, `src/x/b.tsx`, `.env`, `src/secrets.ts`, a link inside the
 * root pointing outside it and one pointing at `.env`, and a file outside the root.
 */
export function makeCheckout(): { root: string; outside: string; cleanup(): void } {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'tm-policy-')));
  const root = join(base, 'repo');
  const outside = join(base, 'outside');
  mkdirSync(join(root, 'src/x'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(root, 'src/a.ts'), 'export {};\n');
  writeFileSync(join(root, 'src/x/b.tsx'), 'export {};\n');
  writeFileSync(join(root, 'src/secrets.ts'), 'export const k = 1;\n');
  writeFileSync(join(root, '.env'), 'TOKEN=x\n');
  writeFileSync(join(outside, 'stolen.ts'), 'export {};\n');
  symlinkSync(outside, join(root, 'src/escape'));
  symlinkSync('../.env', join(root, 'src/env.ts'));
  symlinkSync(join(base, 'nowhere'), join(root, 'src/dangling.ts'));
  return { root, outside, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}
