import { type AuthorizationAnswer, statefulIsAuthorized } from '@cedar-policy/cedar-wasm/nodejs';
import type { CedarReads } from './reads.js';
import { buildRequest } from './request.js';
import { type CedarCallContext, type CedarConditions, type CedarDecision, CedarDenial } from './types.js';

/** A compiled statement as evaluation needs it. */
export interface CompiledStatement {
  /** The Cedar policy id the adapter assigned. */
  id: string;
  effect: 'permit' | 'forbid';
  /** `file:line` of the statement. */
  rule: string;
}

/** Distinct requests whose decisions are kept; Cedar is deterministic, so a repeat needs no wasm call. */
const MEMO_SIZE = 512;
/** Requests longer than this (large arguments read by a condition) are not kept, bounding the memo's memory. */
const MEMO_MAX_KEY = 4096;

const ALLOWED: CedarDecision = Object.freeze({ allowed: true });

/**
 * Evaluates against the policy set preparsed in cedar-wasm under `policySetId`. A Cedar decision is a
 * pure function of the request, so decisions are memoised by the request's JSON (most calls in a
 * session repeat the few attributes a condition reads).
 */
export function createConditions(
  policySetId: string,
  statements: readonly CompiledStatement[],
  reads: CedarReads,
): CedarConditions {
  const first = statements[0];
  // No statement, nothing to forbid and no permit required.
  if (!first) return { evaluate: () => ALLOWED };
  const byId = new Map(statements.map((s) => [s.id, s]));
  const firstPermit = statements.find((s) => s.effect === 'permit');
  const deny = (reason: CedarDenial, ids: readonly string[]): CedarDecision => {
    const statement = statements.find((s) => ids.includes(s.id)) ?? first;
    return Object.freeze({ allowed: false, reason, rule: statement.rule });
  };
  const decide = (answer: AuthorizationAnswer): CedarDecision => {
    if (answer.type === 'failure') return deny(CedarDenial.Error, []);
    const { decision, diagnostics } = answer.response;
    const forbids =
      decision === 'deny' ? diagnostics.reason.filter((id) => byId.get(id)?.effect === 'forbid') : [];
    if (forbids.length > 0) return deny(CedarDenial.Forbid, forbids);
    // Fail closed: an erroring statement might have been a forbid that applies.
    if (diagnostics.errors.length > 0)
      return deny(
        CedarDenial.Error,
        diagnostics.errors.map((e) => e.policyId),
      );
    if (decision === 'allow' || !firstPermit) return ALLOWED;
    return deny(CedarDenial.NoPermit, [firstPermit.id]);
  };
  const memo = new Map<string, CedarDecision>();
  return {
    evaluate(ctx: CedarCallContext): CedarDecision {
      let key: string;
      let answer: AuthorizationAnswer;
      try {
        const request = buildRequest(ctx, reads);
        key = JSON.stringify(request);
        const known = memo.get(key);
        if (known) return known;
        answer = statefulIsAuthorized({ ...request, preparsedPolicySetId: policySetId });
      } catch {
        // An unknown time zone, or a value cedar-wasm cannot take (e.g. a non-integer count).
        return deny(CedarDenial.Error, []);
      }
      const decision = decide(answer);
      if (key.length <= MEMO_MAX_KEY) {
        if (memo.size >= MEMO_SIZE) memo.delete(memo.keys().next().value as string);
        memo.set(key, decision);
      }
      return decision;
    },
  };
}
