/**
 * A reference model of trustmesh policy decisions, written from the issue text and DESIGN.md alone
 * (not from the engine), for a deliberately small world where every rule is easy to check by eye:
 * one purpose, a fixed catalogue of identifier tools, and resources over a tiny alphabet, so no
 * canonicalisation can change them. It also renders its policies as YAML for the real loader;
 * `reference-arbitraries.ts` generates them.
 */
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

export const FORBID_ALL = 'forbid(principal, action, resource);';

/** Conditions the model understands, with their meaning written as plain predicates. */
export const CONDITIONS = {
  [FORBID_ALL]: () => 'forbid',
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
