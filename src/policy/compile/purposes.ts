import type { CedarConditions } from '../cedar/types.js';
import { issueAt, ruleOf } from '../format/located.js';
import { Approval, type RawGrant, type RawPurpose, ResourceKind } from '../format/schema.js';
import type { PolicyIssue } from '../issues.js';
import { Effect, Tier } from '../vocabulary.js';
import type { CatalogueEntry, Grant, Purpose } from './bundle.js';
import { type ConditionsCompiler, cedarSource, tryCompile } from './conditions.js';
import { compileGlobs } from './globs.js';
import { compileLimits } from './limits.js';
import { GRANTABLE_METHODS, splitKey } from './methods.js';

interface Context {
  readonly purpose: RawPurpose;
  readonly tier: Tier;
  readonly catalogue: ReadonlyMap<string, CatalogueEntry>;
  readonly compile: ConditionsCompiler;
  readonly purposeConditions: CedarConditions | undefined | 'invalid';
  readonly issues: PolicyIssue[];
}

/** Fields that only make sense for an allowed tool: setting one on `allowed: false` is a contradiction. */
const ALLOWED_ONLY = ['scope', 'exclude', 'requires', 'approval', 'limits', 'conditions'] as const;

function checkContradictions(
  ctx: Context,
  raw: RawGrant,
  entry: CatalogueEntry | undefined,
  isTool: boolean,
): void {
  const { issues, purpose } = ctx;
  if (raw.allowed?.value === false) {
    for (const field of ALLOWED_ONLY) {
      const value = raw[field];
      if (value === undefined) continue;
      const loc = Array.isArray(value) ? (value[0]?.loc ?? raw.loc) : value.loc;
      issues.push(
        issueAt(loc, `${raw.key} is "allowed: false" but sets ${field}; remove ${field} or allow the tool`),
      );
    }
    return;
  }
  if (entry && !entry.template && (raw.scope || raw.exclude)) {
    const loc = (raw.scope ?? raw.exclude)![0]?.loc ?? raw.loc;
    issues.push(
      issueAt(
        loc,
        `${raw.key} acts on no resource in the catalogue, so scope/exclude cannot apply; remove them`,
      ),
    );
  }
  if (entry && ctx.tier === Tier.ReadOnly && entry.effect !== Effect.Read) {
    issues.push(
      issueAt(
        raw.allowed?.loc ?? raw.loc,
        `purpose "${purpose.name}" is read-only but grants ${raw.key}, a ${entry.effect} tool`,
      ),
    );
  }
  if (raw.approval?.value === Approval.None && ctx.tier === Tier.Privileged) {
    issues.push(
      issueAt(
        raw.approval.loc,
        'a privileged purpose needs approval for every call; remove "approval: none"',
      ),
    );
  }
  if (!isTool && raw.requires)
    issues.push(issueAt(raw.requires[0]?.loc ?? raw.loc, 'requires applies to tools only'));
  for (const req of isTool ? (raw.requires ?? []) : []) {
    const granted = purpose.tools.find((t) => t.key === req.value);
    if (req.value === raw.key) issues.push(issueAt(req.loc, `${raw.key} cannot require itself`));
    else if (!granted && !ctx.catalogue.has(req.value))
      issues.push(issueAt(req.loc, `requires unknown tool "${req.value}"`));
    else if (granted?.allowed?.value !== true) {
      issues.push(
        issueAt(
          req.loc,
          `requires ${req.value}, which purpose "${purpose.name}" does not allow, so ${raw.key} could never be called`,
        ),
      );
    }
  }
}

function grantConditions(ctx: Context, raw: RawGrant): CedarConditions[] {
  const shared = ctx.purposeConditions === 'invalid' ? undefined : ctx.purposeConditions;
  const own = raw.conditions && tryCompile(ctx.compile, [cedarSource(raw.conditions)], ctx.issues);
  return [shared, own].filter((c) => c !== undefined);
}

function compileGrant(ctx: Context, raw: RawGrant, isTool: boolean): Grant | undefined {
  const split = splitKey(raw.key);
  if (!split)
    return void ctx.issues.push(
      issueAt(raw.loc, `"${raw.key}" must be written server.${isTool ? 'tool' : 'method'}`),
    );
  if (!isTool && !GRANTABLE_METHODS.has(split.name)) {
    return void ctx.issues.push(
      issueAt(raw.loc, `"${split.name}" is not a grantable MCP method; see docs/policy.md`),
    );
  }
  const entry = isTool ? ctx.catalogue.get(raw.key) : undefined;
  if (!isTool && !GRANTABLE_METHODS.get(split.name)?.param && (raw.scope || raw.exclude)) {
    ctx.issues.push(issueAt(raw.loc, `${split.name} takes no resource, so scope/exclude cannot apply`));
  }
  checkContradictions(ctx, raw, entry, isTool);
  const kind = entry?.kind ?? ResourceKind.Identifier;
  return {
    key: raw.key,
    at: ruleOf(raw.loc),
    allowed: raw.allowed?.value === true,
    allowedAt: ruleOf(raw.allowed?.loc ?? raw.loc),
    scope: compileGlobs(raw.scope, kind, false, ctx.issues),
    exclude: compileGlobs(raw.exclude, kind, true, ctx.issues),
    requires: (raw.requires ?? []).map((r) => ({ key: r.value, at: ruleOf(r.loc) })),
    approvalAt: raw.approval?.value === Approval.Required ? ruleOf(raw.approval.loc) : undefined,
    limits: compileLimits(raw.limits, ctx.issues),
    conditions: raw.allowed?.value === true ? grantConditions(ctx, raw) : [],
  };
}

function compileGrants(ctx: Context, raws: readonly RawGrant[], isTool: boolean): Map<string, Grant> {
  const out = new Map<string, Grant>();
  for (const raw of raws) {
    const grant = compileGrant(ctx, raw, isTool);
    if (grant) out.set(grant.key, grant);
  }
  return out;
}

export function compilePurpose(
  purpose: RawPurpose,
  catalogue: ReadonlyMap<string, CatalogueEntry>,
  compile: ConditionsCompiler,
  issues: PolicyIssue[],
): Purpose {
  const tier = purpose.tier?.value ?? Tier.Standard;
  const purposeConditions = purpose.conditions
    ? (tryCompile(compile, [cedarSource(purpose.conditions)], issues) ?? 'invalid')
    : undefined;
  const ctx: Context = { purpose, tier, catalogue, compile, purposeConditions, issues };
  const user = purpose.session?.user;
  return {
    name: purpose.name,
    at: ruleOf(purpose.loc),
    tier,
    tierAt: ruleOf(purpose.tier?.loc ?? purpose.loc),
    ttl: purpose.ttl && { max: purpose.ttl.value * 1000, at: ruleOf(purpose.ttl.loc) },
    limits: compileLimits(purpose.limits, issues),
    tools: compileGrants(ctx, purpose.tools, true),
    methods: compileGrants(ctx, purpose.methods, false),
    user: user && { value: user.value, at: ruleOf(user.loc) },
    sessionId: purpose.session?.id?.value,
  };
}
