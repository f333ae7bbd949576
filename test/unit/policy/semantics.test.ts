import { describe, expect, it } from 'vitest';
import {
  type CallHistory,
  decide,
  lexicalResolver,
  parsePolicy,
  ReasonCode,
  Rule,
  SessionState,
  Verdict,
} from '../../../src/policy/index.js';
import { fixture, input, manualClock } from './helpers.js';

const bundle = parsePolicy([fixture('semantics.yaml')]);
const clock = manualClock(0);
const tool = (name: string, args?: unknown, server = 'svc') => ({
  method: 'tools/call',
  server,
  tool: name,
  args,
});
const run = (purpose: string, call: Parameters<typeof input>[0], over: Parameters<typeof input>[1] = {}) =>
  decide(bundle, input(call, { purpose, ...over }), clock, lexicalResolver);
const verdictOf = (d: { verdict: string; reason: string }) => `${d.verdict}:${d.reason}`;

describe('tiers and session states', () => {
  // [purpose, state, tool] → verdict:reason
  const table: [string, SessionState, string, string][] = [
    ['standard', SessionState.Active, 'look', 'allow:ALLOWED'],
    ['standard', SessionState.Active, 'change', 'allow:ALLOWED'],
    ['standard', SessionState.Active, 'send', 'needs_approval:NEEDS_APPROVAL_TOOL'],
    ['standard', SessionState.Scrutinised, 'look', 'allow:ALLOWED'],
    ['standard', SessionState.Scrutinised, 'change', 'needs_approval:NEEDS_STEP_UP'],
    ['standard', SessionState.Scrutinised, 'send', 'needs_approval:NEEDS_STEP_UP'],
    ['standard', SessionState.ReadOnly, 'look', 'allow:ALLOWED'],
    ['standard', SessionState.ReadOnly, 'change', 'deny:DENY_STATE_READONLY'],
    ['standard', SessionState.ReadOnly, 'send', 'deny:DENY_STATE_READONLY'],
    ['standard', SessionState.Suspended, 'look', 'deny:DENY_STATE_SUSPENDED'],
    ['standard', SessionState.Reauth, 'look', 'deny:DENY_STATE_REAUTH'],
    ['reader', SessionState.Active, 'look', 'allow:ALLOWED'],
    ['reader', SessionState.Active, 'change', 'deny:DENY_DEFAULT'],
    ['admin', SessionState.Active, 'look', 'needs_approval:NEEDS_APPROVAL_TIER'],
    ['admin', SessionState.Active, 'change', 'needs_approval:NEEDS_APPROVAL_TIER'],
    ['admin', SessionState.Scrutinised, 'change', 'needs_approval:NEEDS_STEP_UP'],
    ['admin', SessionState.ReadOnly, 'change', 'deny:DENY_STATE_READONLY'],
  ];
  it.each(table)('%s in %s calling %s → %s', (purpose, state, name, expected) => {
    expect(verdictOf(run(purpose, tool(name), { state }))).toBe(expected);
  });

  it('names the rule that decided', () => {
    expect(run('admin', tool('look')).rule).toBe('semantics.yaml:32');
    expect(run('standard', tool('send')).rule).toBe('semantics.yaml:16');
    expect(run('standard', tool('look'), { state: SessionState.Suspended }).rule).toBe(Rule.SessionState);
  });
});

describe('deny by default', () => {
  it('denies unknown purposes, tools, methods and argument shapes', () => {
    expect(run('nobody', tool('look'))).toMatchObject({ reason: ReasonCode.DenyDefault, rule: Rule.Default });
    expect(run('standard', tool('nope')).reason).toBe(ReasonCode.DenyUnknownTool);
    expect(run('standard', tool('search', {}, 'docs'))).toMatchObject({
      reason: ReasonCode.DenyDefault,
      rule: 'semantics.yaml:12',
    });
    expect(run('standard', { method: 'tools/call' }).reason).toBe(ReasonCode.DenyUnknownTool);
    expect(run('standard', { method: 'sampling/createMessage', server: 'svc' }).reason).toBe(
      ReasonCode.DenyUnknownMethod,
    );
    expect(run('standard', { method: 'toString', server: 'svc' }).reason).toBe(ReasonCode.DenyUnknownMethod);
    expect(run('standard', tool('look', ['not', 'an', 'object'])).reason).toBe(ReasonCode.DenyBadArguments);
    expect(run('standard', tool('ticket', { project: 'ops' })).reason).toBe(ReasonCode.DenyBadArguments);
    expect(run('standard', tool('ticket', { project: 'ops/x', id: 1 })).reason).toBe(
      ReasonCode.DenyBadArguments,
    );
    expect(run('standard', tool('ticket', { project: 'ops', id: -1 })).reason).toBe(
      ReasonCode.DenyBadArguments,
    );
    expect(run('standard', tool('ticket', { project: 'ops', id: 7 }))).toMatchObject({
      verdict: Verdict.Allow,
      resource: 'ops#7',
    });
  });

  it('lets the mesh answer the handshake, ping, notifications and the tool list itself', () => {
    for (const method of ['initialize', 'ping', 'tools/list', 'notifications/initialized']) {
      expect(run('standard', { method })).toMatchObject({
        verdict: Verdict.Allow,
        reason: ReasonCode.MeshLocal,
      });
    }
  });

  it('grants other MCP methods only where a purpose names them, scoped like tools', () => {
    const read = (uri: string) =>
      run('standard', { method: 'resources/read', server: 'docs', args: { uri } });
    expect(read('docs://handbook/intro.md')).toMatchObject({ verdict: Verdict.Allow, effect: 'read' });
    expect(read('docs://handbook/private/pay.md').reason).toBe(ReasonCode.DenyExcluded);
    expect(read('docs://handbook/x/%2e%2e/private/pay.md').reason).toBe(ReasonCode.DenyExcluded);
    expect(read('docs://elsewhere/a.md').reason).toBe(ReasonCode.DenyOutOfScope);
    expect(run('standard', { method: 'prompts/get', server: 'docs', args: { name: 'x' } }).reason).toBe(
      ReasonCode.DenyNotAllowed,
    );
    expect(run('standard', { method: 'resources/list', server: 'docs' }).reason).toBe(ReasonCode.DenyDefault);
    expect(
      run('reader', { method: 'resources/read', server: 'docs', args: { uri: 'docs://handbook/a' } }).reason,
    ).toBe(ReasonCode.DenyDefault);
  });
});

describe('forbid beats permit', () => {
  it('an exclude wins over a scope that also matches, in any Unicode compatibility form', () => {
    expect(run('standard', tool('ticket', { project: 'secrets', id: 1 })).reason).toBe(
      ReasonCode.DenyExcluded,
    );
    expect(run('standard', tool('ticket', { project: 'ｓｅｃｒｅｔｓ', id: 1 }))).toMatchObject({
      reason: ReasonCode.DenyExcluded,
      rule: 'semantics.yaml:20',
    });
  });

  it('a Cedar forbid wins over a Cedar permit, after the declarative checks allowed', () => {
    const history = (n: number): CallHistory => ({ 'svc.look': { succeeded: n, resources: [] } });
    expect(run('guarded', tool('look'), { history: history(2) }).verdict).toBe(Verdict.Allow);
    expect(run('guarded', tool('look'), { history: history(3) })).toMatchObject({
      reason: ReasonCode.CedarForbid,
      rule: 'semantics.yaml:39',
    });
    expect(run('guarded', tool('search', {}, 'docs'))).toMatchObject({
      reason: ReasonCode.CedarNoPermit,
      rule: 'semantics.yaml:45',
    });
    expect(run('guarded', tool('look'), { state: SessionState.Suspended }).reason).toBe(
      ReasonCode.DenyStateSuspended,
    );
  });
});
