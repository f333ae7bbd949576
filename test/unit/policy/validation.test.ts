import { describe, expect, it } from 'vitest';
import { type PolicyIssue, PolicyValidationError, parsePolicy } from '../../../src/policy/index.js';

function issuesOf(text: string, name = 'p.yaml'): PolicyIssue[] {
  try {
    parsePolicy([{ name, text }]);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyValidationError);
    return [...(err as PolicyValidationError).issues];
  }
  throw new Error('expected the policy to be rejected');
}

/** `line field` pairs, the part an operator needs to find the problem. */
const located = (issues: PolicyIssue[]) => issues.map((i) => `${i.file}:${i.line} ${i.field}`);

const CATALOGUE = `catalogue:
  fs:
    root: /srv/repo
    tools:
      read: { effect: read, resource: "{path}", kind: path }
      write: { effect: write, resource: "{path}", kind: path }
      list: { effect: read }
`;

describe('validation names file, line and field of every problem, all at once', () => {
  it('reports unknown keys, bad globs, unknown requires and contradictions together', () => {
    const issues = issuesOf(`${CATALOGUE}purposes:
  review:
    tier: read-only
    colour: blue
    tools:
      fs.read:
        allowed: true
        scope: "src/[a"
        exclude: ["{1..9}.ts"]
        requires: ["fs.nope"]
      fs.write:
        allowed: true
      fs.list:
        allowed: false
        approval: required
  other:
    tools:
      fs.list: { allowed: true, scope: "x/**" }
      fs.read:
        allowed: true
        scope: ["../up/**", "/abs/**"]
        limits:
          callsPerMinute: -1
          schedule:
            timeZone: Mars/Olympus
            windows: [{ from: "18:00", to: "09:00" }]
`);
    expect(located(issues).sort()).toEqual(
      [
        'p.yaml:11 purposes.review.colour',
        'p.yaml:15 purposes.review.tools.fs.read.scope',
        'p.yaml:16 purposes.review.tools.fs.read.exclude[0]',
        'p.yaml:17 purposes.review.tools.fs.read.requires[0]',
        'p.yaml:19 purposes.review.tools.fs.write.allowed',
        'p.yaml:22 purposes.review.tools.fs.list.approval',
        'p.yaml:25 purposes.other.tools.fs.list.scope',
        'p.yaml:28 purposes.other.tools.fs.read.scope[0]',
        'p.yaml:28 purposes.other.tools.fs.read.scope[1]',
        'p.yaml:30 purposes.other.tools.fs.read.limits.callsPerMinute',
        'p.yaml:32 purposes.other.tools.fs.read.limits.schedule.timeZone',
        'p.yaml:33 purposes.other.tools.fs.read.limits.schedule.windows[0].to',
      ].sort(),
    );
    const byField = new Map(issues.map((i) => [i.field, i.message]));
    expect(byField.get('purposes.review.tools.fs.read.requires[0]')).toMatch(/unknown tool "fs.nope"/);
    expect(byField.get('purposes.review.tools.fs.write.allowed')).toMatch(/read-only but grants fs.write/);
    expect(byField.get('purposes.review.tools.fs.list.approval')).toMatch(/allowed: false.*approval/);
    expect(byField.get('purposes.other.tools.fs.list.scope')).toMatch(/no resource/);
  });

  it('rejects requires on a tool the purpose does not allow, and on itself', () => {
    const issues = issuesOf(`${CATALOGUE}purposes:
  p:
    tools:
      fs.write: { allowed: true, requires: [fs.read, fs.write] }
      fs.read: { allowed: false }
`);
    expect(located(issues)).toEqual([
      'p.yaml:11 purposes.p.tools.fs.write.requires[0]',
      'p.yaml:11 purposes.p.tools.fs.write.requires[1]',
    ]);
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    expect(located(issuesOf('purposes:\n  p:\n    tools: [\n'))[0]).toMatch(/^p.yaml:\d+ $/);
    const dup = issuesOf('purposes:\n  p:\n    tier: standard\n    tier: privileged\n');
    expect(dup[0]).toMatchObject({ line: 4 });
  });

  it('refuses aliases, catalogue conflicts across files and duplicate purposes', () => {
    expect(issuesOf('purposes:\n  p: &a { tools: {} }\n  q: *a\n')[0]).toMatchObject({
      line: 3,
      field: 'purposes.q',
    });
    try {
      parsePolicy([
        {
          name: 'a.yaml',
          text: 'catalogue:\n  s:\n    tools:\n      t: { effect: read }\npurposes:\n  p: {}\n',
        },
        {
          name: 'b.yaml',
          text: 'catalogue:\n  s:\n    tools:\n      t: { effect: write }\npurposes:\n  p: {}\n',
        },
      ]);
      expect.unreachable();
    } catch (err) {
      expect(located([...(err as PolicyValidationError).issues])).toEqual([
        'b.yaml:4 catalogue.s.tools.t',
        'b.yaml:6 purposes.p',
      ]);
    }
  });

  it('reports Cedar that fails schema validation at the line of the condition', () => {
    const issues = issuesOf(`${CATALOGUE}purposes:
  p:
    tools:
      fs.read:
        allowed: true
        conditions: |
          permit(principal, action, resource) when { context.no_such_attribute == 1 };
`);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      file: 'p.yaml',
      line: 14,
      field: 'purposes.p.tools.fs.read.conditions',
    });
  });

  it('requires allowed on every grant and a timeZone on every schedule', () => {
    const issues = issuesOf(
      'purposes:\n  p:\n    limits:\n      schedule: { windows: [{from: "09:00", to: "10:00"}] }\n    tools:\n      s.t: { scope: "x" }\n',
    );
    expect(located(issues).sort()).toEqual([
      'p.yaml:4 purposes.p.limits.schedule',
      'p.yaml:6 purposes.p.tools.s.t',
    ]);
  });
});
