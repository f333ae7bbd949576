import type { PolicyIssue } from '../issues.js';

/** Where a value came from: enough to name file, line and field in an error or a decision's rule. */
export interface Loc {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly field: string;
}

/** A value read from a policy file, with its location. */
export interface Located<T> {
  readonly value: T;
  readonly loc: Loc;
}

/** `file:line`, the form a Decision's `rule` takes. */
export function ruleOf(loc: Loc): string {
  return `${loc.file}:${loc.line}`;
}

export function issueAt(loc: Loc, message: string): PolicyIssue {
  return { file: loc.file, line: loc.line, column: loc.column, field: loc.field, message };
}
