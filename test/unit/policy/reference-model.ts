/**
 * A reference model of trustmesh policy decisions, written from the issue text and DESIGN.md alone
 * (not from the engine), for a deliberately small world where every rule is easy to check by eye:
 * one purpose, a fixed catalogue of identifier tools, and resources over a tiny alphabet, so no
 * canonicalisation can change them. It also renders its policies as YAML for the real loader.
 */
import fc from 'fast-check';
import type { Effect, SessionState, Tier, Verdict } from '../../../src/policy/index.js';

export interface RefTool {
  key: string;
  effect: Effect;
  /** Argument names the resource is built from, `owner/repo#number` or `host`; none for tools without a resource. */
  resource: 'pull' | 'host' | 'none';
}

export const CATALOGUE: readonly RefTool[] = [
  { key: 'gh.get', effect: 'read', resource: 'pull' },
  { key: 'gh.list', effect: 'read', resource: 'none' },
  { key: 'gh.comment', effect: 'write', resource: 'pull' },
  { key: 'gh.merge', effect: 'admin', resource: 'pull' },
  { key: 'web.post', effect: 'egress', resource: 'host' },
];

/** A tool the catalogue does not know. */
export const UNKNOWN_TOOL = 'gh.nosuch';

const PULL_GLOBS = ['**', 'a/*#*', '*/b#*', '{a,b}/*#1', 'a/?#*', '*/*#{1,2}', 'c/**', 'a/b#?'] as const;
const HOST_GLOBS = ['**', 'h*', '{h1,h3}', 'h?'] as const;

/** Conditions the model understands, with their meaning written as plain predicates. */
export const CONDITIONS = {
  'forbid(principal, action, resource);': () => 'forbid',
  'forbid(principal, action, resource) when { context.state == "scrutinised" };': (c: RefCallInfo) =>
    c.state === 'scrutinised' ? 'forbid' : 'none',
  'permit(principal, action, resource) when { resource.effect == "read" };': (c: RefCallInfo) =>
    c.effect === 'read' ? 'permit' : 'no-permit',
  'forbid(principal, action, resource) when { context.args.hasTag("owner") && context.args.getTag("owner") == "c" };':
    (c: RefCallInfo) => (c.args.owner === 'c' ? 'forbid' : 'none'),
} as const satisfies Record<string, (c: RefCallInfo) => 'forbid' | 'permit' | 'no-permit' | 'none'>;
export type RefCondition = keyof typeof CONDITIONS;

export interface RefGrant {
  tool: string;
  allowed: boolean;
  scope: string[];
  exclude: string[];
  requires: string[];
  approval: boolean;
  conditions: RefCondition[];
}

export interface RefPolicy {
  tier: Tier;
  grants: RefGrant[];
  conditions: RefCondition[];
}

export interface RefHistoryEntry {
  succeeded: number;
  resources: string[];
}

export interface RefCall {
  method: string;
  tool: string;
  args: Record<string, unknown>;
}

interface RefCallInfo {
  state: SessionState;
  effect: Effect;
  args: Record<string, unknown>;
}

/** Verdicts the issue allows for this input; more than one only where the issue leaves it open. */
export function referenceDecide(
  policy: RefPolicy,
  state: SessionState,
  history: Readonly<Record<string, RefHistoryEntry>>,
  call: RefCall,
): readonly Verdict[] {
  const DENY: readonly Verdict[] = ['deny'];
  if (state === 'suspended' || state === 'reauth') return DENY;
  if (call.method !== 'tools/call') return DENY; // the model never grants other methods
  const grant = policy.grants.find((g) => g.tool === call.tool);
  const tool = CATALOGUE.find((t) => t.key === call.tool);
  if (!grant || !tool || !grant.allowed) return DENY;
  if (policy.tier === 'read-only' && tool.effect !== 'read') return DENY;
  if (state === 'readOnly' && tool.effect !== 'read') return DENY;
  const resource = resourceOf(tool, call.args);
  if (resource === 'bad-shape') return DENY;
  if (resource !== undefined) {
    if (!grant.scope.some((g) => globMatches(g, resource))) return DENY;
    if (grant.exclude.some((g) => globMatches(g, resource))) return DENY;
  }
  for (const required of grant.requires) {
    const done = history[required];
    if (!done || done.succeeded < 1) return DENY;
    const requiredTool = CATALOGUE.find((t) => t.key === required);
    const bothHaveResources = resource !== undefined && requiredTool?.resource !== 'none';
    if (bothHaveResources && !done.resources.includes(resource)) return DENY;
  }
  const outcomes = [...policy.conditions, ...grant.conditions].map((c) =>
    CONDITIONS[c]({ state, effect: tool.effect, args: call.args }),
  );
  if (outcomes.includes('forbid')) return DENY;
  const permits = outcomes.filter((o) => o === 'permit' || o === 'no-permit');
  if (permits.length > 0 && !permits.includes('permit')) return DENY;
  if (policy.tier === 'privileged' || grant.approval) return ['needs_approval'];
  if (state === 'scrutinised' && (tool.effect === 'write' || tool.effect === 'egress'))
    return ['needs_approval'];
  // DESIGN.md names write and egress for step-up under scrutiny; admin is left open, but never a plain allow.
  if (state === 'scrutinised' && tool.effect === 'admin') return ['needs_approval', 'deny'];
  return ['allow'];
}

/** The resource string, undefined for tools without one, or 'bad-shape' when the arguments cannot build it. */
export function resourceOf(tool: RefTool, args: Record<string, unknown>): string | undefined | 'bad-shape' {
  const text = (name: string) => (typeof args[name] === 'string' ? (args[name] as string) : undefined);
  if (tool.resource === 'none') return undefined;
  if (tool.resource === 'host') return text('host') ?? 'bad-shape';
  const owner = text('owner');
  const repo = text('repo');
  const number = args.number;
  if (owner === undefined || repo === undefined || typeof number !== 'number') return 'bad-shape';
  return `${owner}/${repo}#${number}`;
}

/**
 * Globs as the issue lists them, for resources over [a-z0-9/#] only: `**` any run of characters,
 * `*` and `?` any run / one character except `/`, `{a,b}` alternatives.
 */
export function globMatches(glob: string, value: string): boolean {
  let pattern = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*' && glob[i + 1] === '*') {
      pattern += '.*';
      i++;
    } else if (ch === '*') pattern += '[^/]*';
    else if (ch === '?') pattern += '[^/]';
    else if (ch === '{') pattern += '(?:';
    else if (ch === '}') pattern += ')';
    else if (ch === ',') pattern += '|';
    else pattern += ch.replace(/[.+^$()|[\]\\#]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`).test(value);
}

/** The policy as a YAML file the real loader reads; `yaml` keys sort so rendering is deterministic. */
export function renderPolicy(policy: RefPolicy): string {
  const quote = (s: string) => JSON.stringify(s);
  const list = (items: readonly string[]) => `[${items.map(quote).join(', ')}]`;
  const block = (conditions: readonly string[], indent: string) =>
    [`${indent}conditions: |`, ...conditions.map((c) => `${indent}  ${c}`)].join('\n');
  const lines = ['catalogue:'];
  for (const server of ['gh', 'web']) {
    lines.push(`  ${server}:`, '    tools:');
    for (const tool of CATALOGUE.filter((t) => t.key.startsWith(`${server}.`))) {
      const resource =
        tool.resource === 'pull'
          ? ', resource: "{owner}/{repo}#{number}", kind: identifier'
          : tool.resource === 'host'
            ? ', resource: "{host}", kind: identifier'
            : '';
      lines.push(`      ${tool.key.split('.')[1]}: { effect: ${tool.effect}${resource} }`);
    }
  }
  lines.push('purposes:', '  p:', `    tier: ${policy.tier}`);
  if (policy.conditions.length > 0) lines.push(block(policy.conditions, '    '));
  lines.push(policy.grants.length > 0 ? '    tools:' : '    tools: {}');
  for (const grant of policy.grants) {
    lines.push(`      ${grant.tool}:`, `        allowed: ${grant.allowed}`);
    if (grant.scope.length > 0) lines.push(`        scope: ${list(grant.scope)}`);
    if (grant.exclude.length > 0) lines.push(`        exclude: ${list(grant.exclude)}`);
    if (grant.requires.length > 0) lines.push(`        requires: ${list(grant.requires)}`);
    if (grant.approval) lines.push('        approval: required');
    if (grant.conditions.length > 0) lines.push(block(grant.conditions, '        '));
  }
  return `${lines.join('\n')}\n`;
}

const STATES: readonly SessionState[] = ['active', 'scrutinised', 'readOnly', 'suspended', 'reauth'];
const TIERS: readonly Tier[] = ['read-only', 'standard', 'standard', 'standard', 'privileged'];
export const FORBID_ALL: RefCondition = 'forbid(principal, action, resource);';
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
