import { describe, expect, it } from 'vitest';
import { compileCedarConditions } from '../../../../src/policy/cedar/index.js';
import { CALL, conditions } from './call.js';

const OFFICE_HOURS = 'forbid(principal, action, resource) when { context.hour < 8 || context.hour >= 18 };';
const AFTER_READ =
  'permit(principal, action, resource) when { context.calledTools.contains("github.get_pull_request") };';
const NO_EGRESS_UNDER_SCRUTINY =
  'forbid(principal, action, resource) when { resource.effect == "egress" && context.state == "scrutinised" };';

const ALLOWED = { allowed: true };
const denied = (reason: string, rule: string) => ({ allowed: false, reason, rule });

describe('Cedar conditions: the documented examples at their boundaries', () => {
  it('office hours, in the session time zone, across daylight saving time', () => {
    const officeHours = conditions(OFFICE_HOURS);
    const at = (iso: string) =>
      officeHours.evaluate({ ...CALL, now: Date.parse(iso), timeZone: 'Europe/Paris' });
    // Winter: Paris is UTC+1.
    expect(at('2024-01-08T06:59:59.999Z')).toEqual(denied('CEDAR_FORBID', 'policy.yaml:10'));
    expect(at('2024-01-08T07:00:00Z')).toEqual(ALLOWED);
    expect(at('2024-01-08T16:59:59Z')).toEqual(ALLOWED);
    expect(at('2024-01-08T17:00:00Z')).toEqual(denied('CEDAR_FORBID', 'policy.yaml:10'));
    // Summer: UTC+2.
    expect(at('2024-07-08T05:59:00Z')).toEqual(denied('CEDAR_FORBID', 'policy.yaml:10'));
    expect(at('2024-07-08T06:00:00Z')).toEqual(ALLOWED);
    expect(at('2024-07-08T15:59:00Z')).toEqual(ALLOWED);
    expect(at('2024-07-08T16:00:00Z')).toEqual(denied('CEDAR_FORBID', 'policy.yaml:10'));
  });

  it('a permit that needs an earlier call', () => {
    const afterRead = conditions(AFTER_READ);
    expect(afterRead.evaluate(CALL)).toEqual(denied('CEDAR_NO_PERMIT', 'policy.yaml:10'));
    expect(afterRead.evaluate({ ...CALL, history: { 'github.get_pull_request': 0 } })).toEqual(
      denied('CEDAR_NO_PERMIT', 'policy.yaml:10'),
    );
    expect(afterRead.evaluate({ ...CALL, history: { 'github.get_pull_request': 1 } })).toEqual(ALLOWED);
    expect(afterRead.evaluate({ ...CALL, history: { 'github.list_pull_requests': 3 } })).toEqual(
      denied('CEDAR_NO_PERMIT', 'policy.yaml:10'),
    );
  });

  it('no egress while the session is scrutinised', () => {
    const noEgress = conditions(NO_EGRESS_UNDER_SCRUTINY);
    expect(noEgress.evaluate({ ...CALL, effect: 'egress', state: 'scrutinised' })).toEqual(
      denied('CEDAR_FORBID', 'policy.yaml:10'),
    );
    expect(noEgress.evaluate({ ...CALL, effect: 'egress', state: 'active' })).toEqual(ALLOWED);
    expect(noEgress.evaluate({ ...CALL, effect: 'write', state: 'scrutinised' })).toEqual(ALLOWED);
  });

  it('all three together name the statement that decided', () => {
    const all = conditions([OFFICE_HOURS, AFTER_READ, NO_EGRESS_UNDER_SCRUTINY].join('\n'));
    const read = { 'github.get_pull_request': 1 };
    expect(all.evaluate({ ...CALL, history: read })).toEqual(ALLOWED);
    expect(all.evaluate(CALL)).toEqual(denied('CEDAR_NO_PERMIT', 'policy.yaml:11'));
    expect(all.evaluate({ ...CALL, history: read, effect: 'egress', state: 'scrutinised' })).toEqual(
      denied('CEDAR_FORBID', 'policy.yaml:12'),
    );
    expect(all.evaluate({ ...CALL, history: read, now: Date.UTC(2024, 0, 8, 20) })).toEqual(
      denied('CEDAR_FORBID', 'policy.yaml:10'),
    );
  });
});

describe('Cedar conditions: combination', () => {
  it('forbid beats permit', () => {
    const both = conditions(
      'permit(principal, action, resource);\nforbid(principal, action, resource) when { context.state == "scrutinised" };',
    );
    expect(both.evaluate(CALL)).toEqual(ALLOWED);
    expect(both.evaluate({ ...CALL, state: 'scrutinised' })).toEqual(
      denied('CEDAR_FORBID', 'policy.yaml:11'),
    );
  });

  it('with no permit statement, anything not forbidden is allowed; with one, a permit must apply', () => {
    expect(conditions('forbid(principal, action, resource) when { false };').evaluate(CALL)).toEqual(ALLOWED);
    expect(conditions('permit(principal, action, resource) when { false };').evaluate(CALL)).toEqual(
      denied('CEDAR_NO_PERMIT', 'policy.yaml:10'),
    );
  });

  it('statements from several sources form one set and keep their own file:line', () => {
    const set = compileCedarConditions([
      { file: 'base.yaml', line: 4, field: 'purposes.review.cedar', text: AFTER_READ },
      {
        file: 'tools.yaml',
        line: 30,
        field: 'purposes.review.tools.github.create_comment.cedar',
        text: `\n${NO_EGRESS_UNDER_SCRUTINY}`,
      },
    ]);
    expect(set.evaluate(CALL)).toEqual(denied('CEDAR_NO_PERMIT', 'base.yaml:4'));
    const read = { 'github.get_pull_request': 1 };
    expect(set.evaluate({ ...CALL, history: read })).toEqual(ALLOWED);
    expect(set.evaluate({ ...CALL, history: read, effect: 'egress', state: 'scrutinised' })).toEqual(
      denied('CEDAR_FORBID', 'tools.yaml:31'),
    );
  });

  it('matches patterns inside large string arguments, every time', () => {
    const noSecrets = conditions(
      'forbid(principal, action, resource) when { context.args.hasTag("body") && context.args.getTag("body") like "*BEGIN PRIVATE KEY*" };',
    );
    const body = (secret: boolean) => `${'x'.repeat(10_000)}${secret ? 'BEGIN PRIVATE KEY' : ''}`;
    for (let i = 0; i < 2; i++) {
      expect(noSecrets.evaluate({ ...CALL, args: { body: body(false) } })).toEqual(ALLOWED);
      expect(noSecrets.evaluate({ ...CALL, args: { body: body(true) } })).toEqual(
        denied('CEDAR_FORBID', 'policy.yaml:10'),
      );
    }
  });

  it('repeated requests keep their own decisions (memoised by request)', () => {
    const noEgress = conditions(NO_EGRESS_UNDER_SCRUTINY);
    const egress = { ...CALL, effect: 'egress', state: 'scrutinised' } as const;
    for (let i = 0; i < 3; i++) {
      expect(noEgress.evaluate(CALL)).toEqual(ALLOWED);
      expect(noEgress.evaluate(egress)).toEqual(denied('CEDAR_FORBID', 'policy.yaml:10'));
    }
  });
});

describe('Cedar conditions: evaluation errors fail closed', () => {
  const overflow = conditions(
    'permit(principal, action, resource);\nforbid(principal, action, resource) when { context.callsTotal * 9223372036854775807 > 0 };',
  );

  it('an overflow in a forbid denies even though a permit applies', () => {
    expect(overflow.evaluate({ ...CALL, callsTotal: 0 })).toEqual(ALLOWED);
    expect(overflow.evaluate({ ...CALL, callsTotal: 2 })).toEqual(denied('CEDAR_ERROR', 'policy.yaml:11'));
  });

  it('an unknown time zone or a count Cedar cannot hold denies', () => {
    const officeHours = conditions(OFFICE_HOURS);
    expect(officeHours.evaluate({ ...CALL, timeZone: 'Mars/Olympus_Mons' })).toEqual(
      denied('CEDAR_ERROR', 'policy.yaml:10'),
    );
    expect(overflow.evaluate({ ...CALL, callsTotal: 1.5 })).toEqual(denied('CEDAR_ERROR', 'policy.yaml:10'));
  });
});

describe('Cedar conditions: what the schema exposes', () => {
  const allows = (text: string, call = CALL) => conditions(text).evaluate(call).allowed;

  it('scalar arguments as string tags, every argument name in argKeys', () => {
    const when = (cond: string) => `permit(principal, action, resource) when { ${cond} };`;
    expect(allows(when('context.args.hasTag("owner") && context.args.getTag("owner") like "ac*"'))).toBe(
      true,
    );
    expect(
      allows(when('context.args.hasTag("pull_number") && context.args.getTag("pull_number") == "42"')),
    ).toBe(true);
    expect(allows(when('context.args.hasTag("draft") && context.args.getTag("draft") == "false"'))).toBe(
      true,
    );
    expect(allows(when('context.args.hasTag("labels") || context.args.hasTag("note")'))).toBe(false);
    expect(allows(when('context.argKeys.containsAll(["owner", "labels", "note"])'))).toBe(true);
  });

  it('call history counts and the total', () => {
    const twice = conditions(
      'permit(principal, action, resource) when { context.history.hasTag("github.get_pull_request") && context.history.getTag("github.get_pull_request") >= 2 && context.callsTotal >= 2 };',
    );
    expect(
      twice.evaluate({ ...CALL, history: { 'github.get_pull_request': 1 }, callsTotal: 2 }).allowed,
    ).toBe(false);
    expect(
      twice.evaluate({ ...CALL, history: { 'github.get_pull_request': 2 }, callsTotal: 2 }).allowed,
    ).toBe(true);
  });

  it('weekday, minute of day and epoch seconds', () => {
    // 2024-01-08T05:00Z is Sunday 21:00 in Los Angeles.
    const call = { ...CALL, now: Date.UTC(2024, 0, 8, 5, 0, 30), timeZone: 'America/Los_Angeles' };
    const when = (cond: string) => `permit(principal, action, resource) when { ${cond} };`;
    expect(
      allows(when('context.weekday == "sun" && context.minuteOfDay == 1260 && context.hour == 21'), call),
    ).toBe(true);
    expect(allows(when(`context.epochSeconds == ${Date.UTC(2024, 0, 8, 5, 0, 30) / 1000}`), call)).toBe(true);
    expect(allows(when('context.weekday == "mon"'), call)).toBe(false);
  });

  it('principal, tool and session attributes, and the resource ("" when none)', () => {
    const text =
      'permit(principal == Principal::"alice@example.com", action == Action::"call", resource == Tool::"github.create_comment") when { principal.tier == "standard" && principal.purpose == "code-review" && resource.server == "github" && resource.name == "create_comment" && context.tier == "standard" && context.purpose == "code-review" && context.resource == "acme/widgets#42" };';
    expect(allows(text)).toBe(true);
    expect(allows(text, { ...CALL, principal: 'mallory' })).toBe(false);
    expect(allows(text, { ...CALL, tier: 'privileged' })).toBe(false);
    expect(
      allows('permit(principal, action, resource) when { context.resource == "" };', {
        ...CALL,
        resource: null,
      }),
    ).toBe(true);
  });
});
