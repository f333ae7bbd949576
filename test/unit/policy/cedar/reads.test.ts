import { policyToJson } from '@cedar-policy/cedar-wasm/nodejs';
import { describe, expect, it } from 'vitest';
import { analyseReads } from '../../../../src/policy/cedar/reads.js';
import { CONTEXT_ATTRIBUTES } from '../../../../src/policy/cedar/schema.js';

function readsOf(condition: string) {
  const answer = policyToJson(`permit(principal, action, resource) when { ${condition} };`);
  if (answer.type !== 'success') throw new Error(JSON.stringify(answer.errors));
  const reads = analyseReads(answer.json.conditions);
  return {
    context: [...reads.context].sort(),
    principal: [...reads.principal].sort(),
    resource: [...reads.resource].sort(),
  };
}

describe('analyseReads', () => {
  it('records the context attributes read or tested, and nothing else', () => {
    expect(readsOf('context.hour < 8 && context has weekday && context.args.hasTag("p")')).toEqual({
      context: ['args', 'hour', 'weekday'],
      principal: [],
      resource: [],
    });
  });

  it('records the entity attributes read or tested through principal and resource', () => {
    expect(readsOf('principal.tier == "x" && resource.effect == "read" && resource has name')).toMatchObject({
      principal: ['tier'],
      resource: ['effect', 'name'],
    });
  });

  it('treats any other use of a variable as reading all of it', () => {
    expect(readsOf('context == context').context).toEqual([...CONTEXT_ATTRIBUTES].sort());
    expect(readsOf('{ "Value": context }.Value.hour == 1').context).toEqual([...CONTEXT_ATTRIBUTES].sort());
    expect(readsOf('(if true then principal else principal).tier == "x"').principal).toEqual([
      'purpose',
      'tier',
    ]);
  });

  it('reads nothing from a condition over literals', () => {
    expect(readsOf('1 < 2')).toEqual({ context: [], principal: [], resource: [] });
  });
});
