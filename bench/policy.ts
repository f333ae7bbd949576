import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CallHistory,
  createFsResolver,
  type DecisionInput,
  decide,
  EMPTY_COUNTERS,
  EMPTY_HISTORY,
  type McpCall,
  type PolicyBundle,
  parsePolicy,
  recordCall,
  SessionState,
} from '../src/policy/index.js';
import { summariseLatency } from './runner/index.js';

const ITERATIONS = 20_000;
const WARM_UP = 2_000;
const START = Date.UTC(2025, 0, 6, 9, 0);
const FIXTURES = new URL('../test/fixtures/policy/', import.meta.url);
const USER = '[email protected]';

const PR = { owner: 'org', repo: 'repo', pull_number: 5 };
/** A review session's typical mix: source reads (one refused), the PR, a comment on it. */
const CALLS: readonly McpCall[] = [
  { method: 'tools/call', server: 'filesystem', tool: 'read_file', args: { path: 'src/a.ts' } },
  { method: 'tools/call', server: 'filesystem', tool: 'read_file', args: { path: 'src/x/b.tsx' } },
  { method: 'tools/call', server: 'filesystem', tool: 'read_file', args: { path: 'src/../.env' } },
  { method: 'tools/call', server: 'github', tool: 'get_pull_request', args: PR },
  { method: 'tools/call', server: 'github', tool: 'create_comment', args: { ...PR, body: 'LGTM' } },
];

const CEDAR_PURPOSE = `purposes:
  code-review-cedar:
    conditions: |
      permit(principal, action, resource) when { context.hour >= 8 && context.hour < 18 };
    tools:
      github.get_pull_request: { allowed: true, scope: "org/repo#*" }
      github.create_comment: { allowed: true, scope: "org/repo#*", requires: [github.get_pull_request] }
      filesystem.read_file: { allowed: true, scope: "src/**/*.{ts,tsx}", exclude: ["**/.env*", "**/secrets*"] }
`;

function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

/** A real checkout on disk, so path decisions pay for link resolution as in production. */
function checkout(): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'tm-bench-policy-')));
  mkdirSync(join(root, 'src/x'), { recursive: true });
  writeFileSync(join(root, 'src/a.ts'), '');
  writeFileSync(join(root, 'src/x/b.tsx'), '');
  writeFileSync(join(root, '.env'), '');
  return root;
}

function p50(bundle: PolicyBundle, purpose: string): number {
  const resolver = createFsResolver();
  let now = START;
  const clock = () => now;
  const history: CallHistory = recordCall(
    EMPTY_HISTORY,
    EMPTY_COUNTERS,
    { key: 'github.get_pull_request', resource: 'org/repo#5' },
    { ok: true },
    clock,
  ).history;
  const input = (i: number): DecisionInput => ({
    purpose,
    principal: USER,
    state: SessionState.Active,
    sessionStartedAt: START,
    history,
    counters: EMPTY_COUNTERS,
    call: CALLS[i % CALLS.length]!,
  });
  for (let i = 0; i < WARM_UP; i++) decide(bundle, input(i), clock, resolver);
  const durations = new Float64Array(ITERATIONS);
  for (let i = 0; i < ITERATIONS; i++) {
    const request = input(i);
    now += 100;
    const start = process.hrtime.bigint();
    decide(bundle, request, clock, resolver);
    durations[i] = Number(process.hrtime.bigint() - start);
  }
  return summariseLatency(durations).p50_us;
}

/**
 * Whole decisions, timed one by one (decide is synchronous), over a review session's call mix with
 * the filesystem resolver on a real temp checkout:
 * - `policy_decide_p50_us`: the seed grant as written, no Cedar;
 * - `policy_decide_cedar_p50_us`: the same grants with one purpose-wide Cedar condition (office hours).
 */
export async function benchPolicy(): Promise<Record<string, number>> {
  const root = checkout();
  try {
    const catalogue = {
      name: 'catalogue.yaml',
      text: fixture('catalogue.yaml').replace('root: ROOT', `root: ${root}`),
    };
    const seed = parsePolicy([
      { name: 'seed-code-review.yaml', text: fixture('seed-code-review.yaml') },
      catalogue,
    ]);
    const cedar = parsePolicy([{ name: 'cedar.yaml', text: CEDAR_PURPOSE }, catalogue]);
    return {
      policy_decide_p50_us: p50(seed, 'code-review'),
      policy_decide_cedar_p50_us: p50(cedar, 'code-review-cedar'),
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
