import { describe, expect, it } from 'vitest';
import { lineAt, splitStatements } from '../../../../src/policy/cedar/statements.js';

const source = (text: string) => ({ text, file: 'p.yaml', line: 5, field: 'cedar' });

describe('splitStatements', () => {
  it('cuts at top-level semicolons and places each statement on its first token line', () => {
    const text =
      '// office hours\n\npermit(principal, action, resource);\n  forbid(principal, action, resource)\n  when { true };\n';
    const statements = splitStatements(source(text));
    expect(statements.map((s) => [s.text.trim(), s.line])).toEqual([
      ['// office hours\n\npermit(principal, action, resource);', 7],
      ['forbid(principal, action, resource)\n  when { true };', 8],
    ]);
  });

  it('ignores semicolons inside string literals (escaped quotes included) and comments', () => {
    const text = 'permit(principal, action, resource) when { context.resource == "a;\\"b;" }; // x; y\n';
    const statements = splitStatements(source(text));
    expect(statements).toHaveLength(1);
    expect(statements[0]?.text).toBe(
      'permit(principal, action, resource) when { context.resource == "a;\\"b;" };',
    );
  });

  it('keeps a trailing fragment without semicolon so the parser can report it', () => {
    const statements = splitStatements(source('permit(principal, action, resource);\n\nforbid(principal'));
    expect(statements.map((s) => s.line)).toEqual([5, 7]);
    expect(statements[1]?.text).toBe('\n\nforbid(principal');
  });

  it('finds nothing in a block of whitespace and comments', () => {
    expect(splitStatements(source('  // nothing here; really\n\n'))).toEqual([]);
  });

  it('maps offsets to file lines', () => {
    expect(lineAt(source('a\nb\nc'), 0)).toBe(5);
    expect(lineAt(source('a\nb\nc'), 4)).toBe(7);
  });
});
