import type { CedarConditions, CedarSource } from '../cedar/types.js';
import type { Located } from '../format/located.js';
import { type PolicyIssue, PolicyValidationError } from '../issues.js';

/** Compiles Cedar sources into one evaluator; throws PolicyValidationError with located issues. */
export type ConditionsCompiler = (sources: readonly CedarSource[]) => CedarConditions;

export function cedarSource(text: Located<string>): CedarSource {
  return { text: text.value, file: text.loc.file, line: text.loc.line, field: text.loc.field };
}

/** Runs the compiler, turning its validation error into collected issues. */
export function tryCompile(
  compile: ConditionsCompiler,
  sources: readonly CedarSource[],
  issues: PolicyIssue[],
): CedarConditions | undefined {
  try {
    return compile(sources);
  } catch (err) {
    if (!(err instanceof PolicyValidationError)) throw err;
    issues.push(...err.issues);
    return undefined;
  }
}
