import { describe, expect, it } from 'vitest';
import { PolicyValidationError, parsePolicy } from '../../../src/policy/index.js';

const policy = (audit: string) => `catalogue:
  github:
    tools:
      create_comment: { effect: write, audit: ${audit} }
purposes:
  review:
    tools:
      github.create_comment: { allowed: true }
`;

describe("catalogue audit: what the audit keeps or drops of a tool's arguments", () => {
  it('compiles keep and drop onto the catalogue entry', () => {
    const bundle = parsePolicy([
      { name: 'p.yaml', text: policy('{ keep: [sha], drop: [body, "files.content"] }') },
    ]);
    expect(bundle.catalogue.get('github.create_comment')?.audit).toEqual({
      keep: ['sha'],
      drop: ['body', 'files.content'],
    });
  });

  it('rejects a key both kept and dropped, and unknown audit fields, with file, line and field', () => {
    let issues: readonly { line: number; field: string; message: string }[] = [];
    try {
      parsePolicy([{ name: 'p.yaml', text: policy('{ keep: [body], drop: [body], mask: [x] }') }]);
    } catch (err) {
      expect(err).toBeInstanceOf(PolicyValidationError);
      issues = (err as PolicyValidationError).issues;
    }
    expect(issues.map((i) => `${i.line} ${i.field}`).sort()).toEqual([
      '4 catalogue.github.tools.create_comment.audit.drop[0]',
      '4 catalogue.github.tools.create_comment.audit.mask',
    ]);
    expect(issues.map((i) => i.message).join('\n')).toMatch(/"body" is both kept and dropped/);
  });
});
