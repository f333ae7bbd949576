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
import { callArb, historyArb, policyArb, stateArb } from './reference-arbitraries.js';
import {
  CATALOGUE,
  FORBID_ALL,
  type RefCall,
  type RefHistoryEntry,
  type RefPolicy,
  referenceDecide,
  renderPolicy,
  UNKNOWN_TOOL,
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
      { numRuns: 1000 },
    );
  }, 300_000);
});

/** A call the policy does not grant: a tool it leaves out or denies, one nobody knows, or another method. */
function ungrantedCallArb(policy: RefPolicy): fc.Arbitrary<RefCall> {
  const granted = new Set(policy.grants.filter((g) => g.allowed).map((g) => g.tool));
  const tools = [...CATALOGUE.map((t) => t.key).filter((k) => !granted.has(k)), UNKNOWN_TOOL];
  const args = { owner: 'a', repo: 'a', number: 1, host: 'h1' };
  return fc.oneof(
    fc.constantFrom(...tools).map((tool) => ({ method: 'tools/call', tool, args })),
    fc
      .tuple(
        fc.constantFrom('resources/read', 'prompts/get', 'completion/complete'),
        fc.constantFrom(...granted, 'gh.get'),
      )
      .map(([method, tool]) => ({ method, tool, args: { uri: 'file:///etc/passwd', name: 'x' } })),
  );
}

/** 1-based line of the first rendered line containing `text`. */
function lineOf(yaml: string, text: string): number {
  return yaml.split('\n').findIndex((line) => line.includes(text)) + 1;
}

describe('policy invariants', () => {
  it('deny by default: whatever is not granted is denied, in every state and history', () => {
    fc.assert(
      fc.property(
        policyArb.chain((policy) => fc.tuple(fc.constant(policy), ungrantedCallArb(policy))),
        stateArb,
        historyArb,
        ([policy, call], state, history) => {
          expect(engine(policy, state, history, call).verdict).toBe('deny');
        },
      ),
      { numRuns: 500 },
    );
  }, 300_000);

  it('forbid beats permit: an applicable Cedar forbid, on the purpose or the tool, denies', () => {
    const allowedCall = fc
      .tuple(policyArb, stateArb, historyArb, callArb, fc.boolean())
      .filter(
        ([policy, state, history, call]) => referenceDecide(policy, state, history, call)[0] !== 'deny',
      );
    fc.assert(
      fc.property(allowedCall, ([policy, state, history, call, onPurpose]) => {
        const forbidden: RefPolicy = onPurpose
          ? { ...policy, conditions: [...policy.conditions, FORBID_ALL] }
          : {
              ...policy,
              grants: policy.grants.map((g) =>
                g.tool === call.tool ? { ...g, conditions: [...g.conditions, FORBID_ALL] } : g,
              ),
            };
        const decision = engine(forbidden, state, history, call);
        expect(decision.verdict).toBe('deny');
        expect(decision.rule).toBe(`ref.yaml:${lineOf(renderPolicy(forbidden), FORBID_ALL)}`);
      }),
      { numRuns: 150 },
    );
  }, 300_000);

  it('forbid beats permit: "allowed: false" denies a call that was allowed or needed approval', () => {
    const allowedCall = fc
      .tuple(policyArb, stateArb, historyArb, callArb)
      .filter(
        ([policy, state, history, call]) => referenceDecide(policy, state, history, call)[0] !== 'deny',
      );
    fc.assert(
      fc.property(allowedCall, ([policy, state, history, call]) => {
        const denied: RefPolicy = {
          ...policy,
          grants: policy.grants.map((g) =>
            g.tool === call.tool
              ? {
                  tool: g.tool,
                  allowed: false,
                  scope: [],
                  exclude: [],
                  requires: [],
                  approval: false,
                  conditions: [],
                }
              : { ...g, requires: g.requires.filter((r) => r !== call.tool) },
          ),
        };
        expect(engine(denied, state, history, call).verdict).toBe('deny');
      }),
      { numRuns: 300 },
    );
  }, 300_000);
});
