import { TrustmeshError } from '../errors.js';

/** One problem found while loading policy, located precisely enough to fix without searching. */
export interface PolicyIssue {
  file: string;
  /** 1-based line in `file`. */
  line: number;
  /** 1-based column, when known. */
  column?: number;
  /** Dotted path of the field, e.g. `purposes.code-review.tools.github.create_comment.requires[0]`. */
  field: string;
  message: string;
}

export class PolicyValidationError extends TrustmeshError {
  readonly issues: readonly PolicyIssue[];

  constructor(issues: readonly PolicyIssue[]) {
    super('ERR_POLICY_INVALID', formatIssues(issues));
    this.issues = issues;
  }
}

export function formatIssue(issue: PolicyIssue): string {
  const at = issue.column ? `${issue.file}:${issue.line}:${issue.column}` : `${issue.file}:${issue.line}`;
  return `${at}: ${issue.field}: ${issue.message}`;
}

function formatIssues(issues: readonly PolicyIssue[]): string {
  const head = `policy is invalid (${issues.length} ${issues.length === 1 ? 'problem' : 'problems'}); fix these and load it again:`;
  return [head, ...issues.map((i) => `  ${formatIssue(i)}`)].join('\n');
}
