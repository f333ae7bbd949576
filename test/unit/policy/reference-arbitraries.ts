import fc from 'fast-check';
import type { SessionState, Tier } from '../../../src/policy/index.js';
import {
  CATALOGUE,
  CONDITIONS,
  FORBID_ALL,
  type RefCall,
  type RefCondition,
  type RefGrant,
  type RefHistoryEntry,
  type RefPolicy,
  type RefTool,
  UNKNOWN_TOOL,
} from './reference-model.js';

/**
 * Random inputs for the reference model, weighted so that every verdict, `requires` and Cedar
 * conditions all show up often (uniform choices deny almost everything).
 */

const PULL_GLOBS = ['**', 'a/*#*', '*/b#*', '{a,b}/*#1', 'a/?#*', '*/*#{1,2}', 'c/**', 'a/b#?'] as const;
const HOST_GLOBS = ['**', 'h*', '{h1,h3}', 'h?'] as const;
const STATES: readonly SessionState[] = ['active', 'scrutinised', 'readOnly', 'suspended', 'reauth'];
const TIERS: readonly Tier[] = ['read-only', 'standard', 'standard', 'standard', 'privileged'];
/** Random policies leave out FORBID_ALL, which would only mask everything else. */
const CONDITION_TEXTS = (Object.keys(CONDITIONS) as RefCondition[]).filter((c) => c !== FORBID_ALL);

/** `common` `weight` times out of `weight + 1`. */
function weighted<T>(common: T, weight: number, rare: T): fc.Arbitrary<T> {
  return fc.oneof({ weight, arbitrary: fc.constant(common) }, { weight: 1, arbitrary: fc.constant(rare) });
}

const someCondition: fc.Arbitrary<RefCondition[]> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<RefCondition[]>([]) },
  fc.constantFrom(...CONDITION_TEXTS).map((c) => [c]),
);

function grantArb(tool: RefTool): fc.Arbitrary<RefGrant> {
  const globs = tool.resource === 'host' ? HOST_GLOBS : PULL_GLOBS;
  const others = CATALOGUE.map((t) => t.key).filter((k) => k !== tool.key);
  return weighted(true, 4, false).chain((allowed) =>
    fc.record({
      tool: fc.constant(tool.key),
      allowed: fc.constant(allowed),
      // A denied tool carries nothing else; an allowed tool with a resource always has a scope.
      scope:
        allowed && tool.resource !== 'none'
          ? fc.uniqueArray(fc.oneof(fc.constant('**'), fc.constantFrom(...globs)), {
              minLength: 1,
              maxLength: 2,
            })
          : fc.constant([]),
      exclude:
        allowed && tool.resource !== 'none'
          ? fc.oneof(
              { weight: 3, arbitrary: fc.constant<string[]>([]) },
              fc.constantFrom<string>(...globs).map((g) => [g]),
            )
          : fc.constant([]),
      requires: allowed ? fc.uniqueArray(fc.constantFrom(...others), { maxLength: 1 }) : fc.constant([]),
      approval: allowed ? weighted(false, 4, true) : fc.constant(false),
      conditions: allowed ? someCondition : fc.constant([]),
    }),
  );
}

export const policyArb: fc.Arbitrary<RefPolicy> = fc
  .record({
    tier: fc.constantFrom(...TIERS),
    grants: fc.subarray([...CATALOGUE], { minLength: 3 }).chain((tools) => fc.tuple(...tools.map(grantArb))),
    conditions: someCondition,
  })
  .map(withoutContradictions);

/**
 * Drops what the issue calls contradictions, which the loader refuses: a read-only purpose allowing a
 * tool that is not a read, and `requires` that could never be met. `requires` only names allowed tools
 * of the same purpose that come earlier in the catalogue, which also rules out cycles.
 */
function withoutContradictions(policy: RefPolicy): RefPolicy {
  const order = (key: string) => CATALOGUE.findIndex((t) => t.key === key);
  const grants = policy.grants.map((g) =>
    policy.tier === 'read-only' && CATALOGUE[order(g.tool)]?.effect !== 'read' ? denied(g.tool) : g,
  );
  const allowed = new Set(grants.filter((g) => g.allowed).map((g) => g.tool));
  return {
    ...policy,
    grants: grants.map((g) => ({
      ...g,
      requires: g.requires.filter((r) => allowed.has(r) && order(r) < order(g.tool)),
    })),
  };
}

function denied(tool: string): RefGrant {
  return { tool, allowed: false, scope: [], exclude: [], requires: [], approval: false, conditions: [] };
}

export const stateArb: fc.Arbitrary<SessionState> = fc.oneof(
  { weight: 8, arbitrary: fc.constant('active') },
  { weight: 6, arbitrary: fc.constant('scrutinised') },
  { weight: 3, arbitrary: fc.constantFrom(...STATES) },
);

const owner = fc.constantFrom('a', 'b', 'c');
const repo = fc.constantFrom('a', 'b');
const number = fc.integer({ min: 1, max: 2 });
const hostArb = fc.constantFrom('h1', 'h2', 'h3');
const pullArb = fc.tuple(owner, repo, number).map(([o, r, n]) => `${o}/${r}#${n}`);

export const historyArb: fc.Arbitrary<Record<string, RefHistoryEntry>> = fc
  .uniqueArray(
    fc.record({
      tool: fc.constantFrom(...CATALOGUE.map((t) => t.key)),
      resources: fc.uniqueArray(fc.oneof(pullArb, hostArb), { minLength: 1, maxLength: 3 }),
      extra: fc.nat({ max: 2 }),
    }),
    { selector: (e) => e.tool, maxLength: 4 },
  )
  .map((entries) =>
    Object.fromEntries(
      entries.map((e) => {
        const tool = CATALOGUE.find((t) => t.key === e.tool)!;
        const resources = tool.resource === 'none' ? [] : e.resources;
        return [e.tool, { succeeded: Math.max(1, resources.length) + e.extra, resources }];
      }),
    ),
  );

/** Mostly well-formed arguments; sometimes one is missing or of the wrong kind. */
const argValue = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof(
    { weight: 15, arbitrary: good },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, { x: 1 }, [1], null) },
  );

/** The arguments a tool's resource template names, and no others. */
function argsArb(tool: RefTool | undefined): fc.Arbitrary<Record<string, unknown>> {
  const fields: Record<string, fc.Arbitrary<unknown>> = tool?.resource === 'host'
    ? { host: argValue(hostArb) }
    : tool?.resource === 'pull' || tool === undefined
      ? { owner: argValue(owner), repo: argValue(repo), number: argValue(number) }
      : {};
  return fc
    .record(fields)
    .map((args) => Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)));
}

export const callArb: fc.Arbitrary<RefCall> = fc.oneof(
  {
    weight: 19,
    arbitrary: fc
      .oneof(
        { weight: 12, arbitrary: fc.constantFrom(...CATALOGUE.map((t) => t.key)) },
        fc.constant(UNKNOWN_TOOL),
      )
      .chain((tool) =>
        argsArb(CATALOGUE.find((t) => t.key === tool)).map((args) => ({ method: 'tools/call', tool, args })),
      ),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      method: fc.constantFrom('resources/read', 'prompts/get', 'completion/complete'),
      tool: fc.constantFrom(...CATALOGUE.map((t) => t.key)),
      args: fc.constant<Record<string, unknown>>({ uri: 'file:///etc/passwd' }),
    }),
  },
);
