import { describe, expect, it } from 'vitest';
import { compileCedarConditions } from '../../../../src/policy/cedar/index.js';
import { PolicyValidationError } from '../../../../src/policy/issues.js';

function issuesOf(sources: Parameters<typeof compileCedarConditions>[0]) {
  try {
    compileCedarConditions(sources);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyValidationError);
    return (err as PolicyValidationError).issues;
  }
  throw new Error('expected the Cedar sources to be rejected');
}

const PERMIT = 'permit(principal, action, resource);';

describe('compileCedarConditions', () => {
  it('reports a parse error on the line of the offending token, with file and field', () => {
    const issues = issuesOf([
      { file: 'a.yaml', line: 3, field: 'purposes.ok.cedar', text: PERMIT },
      {
        file: 'b.yaml',
        line: 20,
        field: 'purposes.review.tools.github.create_comment.cedar',
        text: `${PERMIT}\nforbid(principal, action, resource)\n  when { context.hour < };\n`,
      },
    ]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      file: 'b.yaml',
      line: 22,
      field: 'purposes.review.tools.github.create_comment.cedar',
    });
    expect(issues[0]?.message).toContain('does not parse');
  });

  it('reports schema-validation errors (unknown context attribute) at the statement line', () => {
    const issues = issuesOf([
      {
        file: 'p.yaml',
        line: 7,
        field: 'purposes.review.cedar',
        text: `${PERMIT}\n\npermit(principal, action, resource) when {\n  context.nosuch == 1\n};`,
      },
    ]);
    expect(issues).toEqual([
      expect.objectContaining({ file: 'p.yaml', line: 10, field: 'purposes.review.cedar' }),
    ]);
    expect(issues[0]?.message).toMatch(/`nosuch`.*not found at `context\.nosuch`/);
  });

  it('validates strictly: wrong types, unknown actions and unguarded tag reads are rejected', () => {
    const bad = [
      'permit(principal, action, resource) when { context.hour == "9" };',
      'permit(principal, action == Action::"read", resource);',
      'permit(principal, action, resource) when { context.args.getTag("path") like "src/*" };',
      'permit(principal, action, resource) when { principal.nosuch == "x" };',
    ];
    for (const text of bad) {
      const issues = issuesOf([{ file: 'p.yaml', line: 1, field: 'cedar', text }]);
      expect(issues, text).toHaveLength(1);
      expect(issues[0]?.message, text).toContain('fails validation');
    }
  });

  it('reports every failing statement across sources, without the internal policy ids', () => {
    const issues = issuesOf([
      {
        file: 'p.yaml',
        line: 1,
        field: 'a',
        text: 'permit(principal, action, resource) when { context.x };',
      },
      {
        file: 'q.yaml',
        line: 4,
        field: 'b',
        text: `${PERMIT}\nforbid(principal, action, resource) when { resource.y };`,
      },
    ]);
    expect(issues.map((i) => [i.file, i.line, i.field])).toEqual([
      ['p.yaml', 1, 'a'],
      ['q.yaml', 5, 'b'],
    ]);
    expect(issues.map((i) => i.message).join('\n')).not.toMatch(/policy `s\d+`/);
  });

  it('rejects templates and empty blocks', () => {
    expect(
      issuesOf([{ file: 'p.yaml', line: 2, field: 'c', text: 'permit(?principal, action, resource);' }]),
    ).toEqual([expect.objectContaining({ line: 2, field: 'c' })]);
    const empty = issuesOf([{ file: 'p.yaml', line: 2, field: 'c', text: '// todo\n' }]);
    expect(empty).toEqual([expect.objectContaining({ file: 'p.yaml', line: 2, field: 'c' })]);
    expect(empty[0]?.message).toContain('holds no Cedar statement');
  });

  it('accepts the documented examples', () => {
    expect(() =>
      compileCedarConditions([
        {
          file: 'p.yaml',
          line: 1,
          field: 'cedar',
          text: [
            'forbid(principal, action, resource) when { context.hour < 8 || context.hour >= 18 };',
            'permit(principal, action, resource) when { context.calledTools.contains("github.get_pull_request") };',
            'forbid(principal, action, resource) when { resource.effect == "egress" && context.state == "scrutinised" };',
          ].join('\n'),
        },
      ]),
    ).not.toThrow();
  });
});
