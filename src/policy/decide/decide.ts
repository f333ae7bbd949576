import type { Clock } from '../../clock.js';
import type { CatalogueEntry, Grant, PolicyBundle, Purpose } from '../compile/bundle.js';
import { GRANTABLE_METHODS, isMeshLocalMethod } from '../compile/methods.js';
import type { ResourceResolver } from '../resource/resolver.js';
import type { ResourceResult } from '../resource/result.js';
import { Effect, SessionState, Tier, Verdict } from '../vocabulary.js';
import { argsObject, methodResource, toolResource } from './call-resource.js';
import { evaluateConditions } from './conditions.js';
import { ReasonCode } from './reasons.js';
import type { CallHistory, Decision, DecisionInput } from './types.js';
import { checkLimits } from './usage.js';

/** `rule` values for decisions no policy line made. */
export const Rule = { Default: 'default', SessionState: 'session-state', Mesh: 'mesh' } as const;

const TOOLS_CALL = 'tools/call';

interface Target {
  readonly key: string;
  readonly grant: Grant;
  readonly effect: Effect;
  readonly entry?: CatalogueEntry;
  readonly param?: string;
}

function requiresMet(
  bundle: PolicyBundle,
  grant: Grant,
  history: CallHistory,
  resource: string | undefined,
): string | undefined {
  for (const req of grant.requires) {
    const done = history[req.key];
    if (!done || done.succeeded === 0) return req.at;
    const sameResource = resource !== undefined && bundle.catalogue.get(req.key)?.template !== undefined;
    if (sameResource && !done.resources.includes(resource)) return req.at;
  }
  return undefined;
}

function matchesAny(rules: Grant['exclude'], value: string): string | undefined {
  for (const rule of rules) if (rule.test(value)) return rule.at;
  return undefined;
}

/**
 * Decides one MCP request for one session. Pure given its inputs: the bundle, the session's state,
 * history and counters, the call, the clock and the resolver (the only part that may look at the
 * filesystem, to follow links the way the server will). Checks run from the hardest refusal to the
 * softest: session state, grant, resource, tier, `requires`, limits, then approval, then Cedar
 * conditions; the first that refuses decides.
 */
export function decide(
  bundle: PolicyBundle,
  input: DecisionInput,
  clock: Clock,
  resolver: ResourceResolver,
): Decision {
  const policyVersion = bundle.version;
  const { state, call } = input;
  const deny = (reason: ReasonCode, rule: string, extra?: Partial<Decision>): Decision => ({
    verdict: Verdict.Deny,
    reason,
    rule,
    policyVersion,
    ...extra,
  });
  if (state === SessionState.Suspended) return deny(ReasonCode.DenyStateSuspended, Rule.SessionState);
  if (state === SessionState.Reauth) return deny(ReasonCode.DenyStateReauth, Rule.SessionState);
  if (isMeshLocalMethod(call.method)) {
    return { verdict: Verdict.Allow, reason: ReasonCode.MeshLocal, rule: Rule.Mesh, policyVersion };
  }
  const purpose = bundle.purposes.get(input.purpose);
  if (!purpose) return deny(ReasonCode.DenyDefault, Rule.Default);
  if (purpose.user && purpose.user.value !== input.principal)
    return deny(ReasonCode.DenyPrincipal, purpose.user.at);
  const now = clock();
  if (purpose.ttl && now - input.sessionStartedAt >= purpose.ttl.max) {
    return deny(ReasonCode.DenySessionExpired, purpose.ttl.at);
  }
  const target = findTarget(bundle, purpose, input);
  if (!('key' in target)) return deny(target.reason, target.rule);
  const { key, grant, effect } = target;
  const args = argsObject(call.args);
  if (!args)
    return deny(ReasonCode.DenyBadArguments, grant.at, { effect, detail: 'arguments must be an object' });
  const found: ResourceResult | undefined = target.entry
    ? toolResource(target.entry, args, resolver)
    : target.param
      ? methodResource(target.param, args)
      : undefined;
  if (found && !found.ok) {
    const reason = found.problem === 'arguments' ? ReasonCode.DenyBadArguments : ReasonCode.DenyBadResource;
    return deny(reason, grant.at, { effect, detail: found.detail });
  }
  const resource = found?.value;
  if (resource !== undefined) {
    const folded = resource.normalize('NFKC');
    const excluded =
      matchesAny(grant.exclude, resource) ??
      (folded === resource ? undefined : matchesAny(grant.exclude, folded));
    if (excluded) return deny(ReasonCode.DenyExcluded, excluded, { effect, resource });
    if (grant.scope.length > 0 && !matchesAny(grant.scope, resource)) {
      return deny(ReasonCode.DenyOutOfScope, grant.scope[0]!.at, { effect, resource });
    }
  }
  if (effect !== Effect.Read) {
    if (purpose.tier === Tier.ReadOnly)
      return deny(ReasonCode.DenyTier, purpose.tierAt, { effect, resource });
    if (state === SessionState.ReadOnly)
      return deny(ReasonCode.DenyStateReadOnly, Rule.SessionState, { effect, resource });
  }
  const unmet = requiresMet(bundle, grant, input.history, resource);
  if (unmet) return deny(ReasonCode.DenyRequires, unmet, { effect, resource });
  const bytesIn = call.bytesIn ?? 0;
  const limited =
    checkLimits(purpose.limits, input.counters.session, 'session', now, bytesIn) ??
    checkLimits(grant.limits, input.counters.tools[key], 'tool', now, bytesIn);
  if (limited) return deny(limited.reason, limited.rule, { effect, resource });
  if (grant.conditions.length > 0) {
    const cedar = evaluateConditions(grant.conditions, purpose, input, key, effect, resource, args, now);
    if (cedar) return deny(cedar.reason, cedar.rule, { effect, resource });
  }
  if (state === SessionState.Scrutinised && effect !== Effect.Read) {
    return {
      verdict: Verdict.NeedsApproval,
      reason: ReasonCode.NeedsStepUp,
      rule: Rule.SessionState,
      policyVersion,
      effect,
      resource,
    };
  }
  if (purpose.tier === Tier.Privileged) {
    return {
      verdict: Verdict.NeedsApproval,
      reason: ReasonCode.NeedsApprovalTier,
      rule: purpose.tierAt,
      policyVersion,
      effect,
      resource,
    };
  }
  if (grant.approvalAt) {
    return {
      verdict: Verdict.NeedsApproval,
      reason: ReasonCode.NeedsApprovalTool,
      rule: grant.approvalAt,
      policyVersion,
      effect,
      resource,
    };
  }
  return {
    verdict: Verdict.Allow,
    reason: ReasonCode.Allowed,
    rule: grant.allowedAt,
    policyVersion,
    effect,
    resource,
  };
}

/** The grant (and catalogue entry) a call targets, or why there is none. */
function findTarget(
  bundle: PolicyBundle,
  purpose: Purpose,
  { call }: DecisionInput,
): Target | { reason: ReasonCode; rule: string } {
  if (call.method === TOOLS_CALL) {
    if (!call.server || !call.tool) return { reason: ReasonCode.DenyUnknownTool, rule: Rule.Default };
    const key = `${call.server}.${call.tool}`;
    const grant = purpose.tools.get(key);
    const entry = bundle.catalogue.get(key);
    if (!grant)
      return { reason: entry ? ReasonCode.DenyDefault : ReasonCode.DenyUnknownTool, rule: purpose.at };
    if (!grant.allowed) return { reason: ReasonCode.DenyNotAllowed, rule: grant.allowedAt };
    if (!entry) return { reason: ReasonCode.DenyUnknownTool, rule: grant.at };
    return { key, grant, effect: entry.effect, entry };
  }
  const method = GRANTABLE_METHODS.get(call.method);
  if (!method || !call.server) return { reason: ReasonCode.DenyUnknownMethod, rule: Rule.Default };
  const key = `${call.server}.${call.method}`;
  const grant = purpose.methods.get(key);
  if (!grant) return { reason: ReasonCode.DenyDefault, rule: purpose.at };
  if (!grant.allowed) return { reason: ReasonCode.DenyNotAllowed, rule: grant.allowedAt };
  return { key, grant, effect: method.effect, param: method.param };
}
