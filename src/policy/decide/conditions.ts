import type { CedarConditions } from '../cedar/types.js';
import type { Purpose } from '../compile/bundle.js';
import type { Effect } from '../vocabulary.js';
import type { DecisionInput } from './types.js';
import type { Denial } from './usage.js';

const UTC = 'UTC';

/** Runs a grant's Cedar conditions on everything the schema exposes about this call; the first refusal decides. */
export function evaluateConditions(
  conditions: readonly CedarConditions[],
  purpose: Purpose,
  input: DecisionInput,
  key: string,
  effect: Effect,
  resource: string | undefined,
  args: Readonly<Record<string, unknown>>,
  now: number,
): Denial | undefined {
  const dot = key.indexOf('.');
  const history: Record<string, number> = {};
  let callsTotal = 0;
  for (const [tool, done] of Object.entries(input.history)) {
    history[tool] = done.succeeded;
    callsTotal += done.succeeded;
  }
  const context = {
    principal: input.principal,
    purpose: purpose.name,
    tier: purpose.tier,
    state: input.state,
    server: key.slice(0, dot),
    tool: key.slice(dot + 1),
    effect,
    resource: resource ?? null,
    args,
    history,
    callsTotal,
    now,
    timeZone: purpose.limits.schedule?.timeZone ?? UTC,
  };
  for (const set of conditions) {
    const result = set.evaluate(context);
    if (!result.allowed) return { reason: result.reason, rule: result.rule };
  }
  return undefined;
}
