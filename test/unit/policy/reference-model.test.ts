import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CallHistory,
  type Decision,
  decide,
  EMPTY_COUNTERS,
  lexicalResolver,
  type PolicyBundle,
  parsePolicy,
  type SessionState,
} from '../../../src/policy/index.js';
import {
  callArb,
  historyArb,
  policyArb,
  type RefCall,
  type RefHistoryEntry,
  type RefPolicy,
  referenceDecide,
  renderPolicy,
  stateArb,
} from './reference-model.js';

const NOW = Date.UTC(2025, 0, 6, 12, 0);
const bundles = new Map<string, PolicyBundle>();

/** Loads a rendered policy, once per distinct text (Cedar validation makes loading the slow part). */
function load(policy: RefPolicy): PolicyBundle {
  const text = renderPolicy(policy);
  let bundle = bundles.get(text);
  if (!bundle) {
    bundle = parsePolicy([{ name: 'ref.yaml', text }]);
    bundles.set(text, bundle);
  }
  return bundle;
}

function engine(
  policy: RefPolicy,
  state: SessionState,
  history: Readonly<Record<string, RefHistoryEntry>>,
  call: RefCall,
): Decision {
  const [server, tool] = call.tool.split('.') as [string, string];
  return decide(
    load(policy),
    {
      purpose: 'p',
      principal: 'alice@example.com',
      state,
      sessionStartedAt: NOW,
      history: history as CallHistory,
      counters: EMPTY_COUNTERS,
      call: { method: call.method, server, tool, args: call.args },
    },
    () => NOW,
    lexicalResolver,
  );
}

describe('policy engine against the reference model', () => {
  it('agrees with the reference on random (grant, state, history, call)', () => {
    fc.assert(
      fc.property(policyArb, stateArb, historyArb, callArb, (policy, state, history, call) => {
        const expected = referenceDecide(policy, state, history, call);
        const actual = engine(policy, state, history, call);
        expect(expected, `engine: ${JSON.stringify(actual)}\n${renderPolicy(policy)}`).toContain(
          actual.verdict,
        );
      }),
      { numRuns: 2000 },
    );
  }, 300_000);
});
