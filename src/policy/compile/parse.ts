import { createHash } from 'node:crypto';
import { compileCedarConditions } from '../cedar/index.js';
import { issueAt } from '../format/located.js';
import { type PolicyFile, readPolicyFile } from '../format/read-file.js';
import { type PolicyIssue, PolicyValidationError } from '../issues.js';
import type { PolicyBundle, Purpose } from './bundle.js';
import { compileCatalogue } from './catalogue.js';
import type { ConditionsCompiler } from './conditions.js';
import { compilePurpose } from './purposes.js';

export interface ParsePolicyOptions {
  /**
   * Compiles `conditions:` Cedar text.
   * @default the Cedar adapter in `src/policy/cedar`
   */
  conditions?: ConditionsCompiler;
}

/** `sha256:<hex>` over the files sorted by name: the same inputs give the same version on every node. */
export function policyVersion(files: readonly PolicyFile[]): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const bytes = Buffer.from(file.text, 'utf8');
    hash.update(`${file.name}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  return `sha256:${hash.digest('hex')}`;
}

/**
 * Compiles policy files (YAML text) into a bundle. Pure: no filesystem, no clock. Throws only
 * PolicyValidationError, listing every problem found across all files.
 */
export function parsePolicy(files: readonly PolicyFile[], options: ParsePolicyOptions = {}): PolicyBundle {
  const issues: PolicyIssue[] = [];
  const names = new Set<string>();
  for (const file of files) {
    if (names.has(file.name))
      issues.push({ file: file.name, line: 1, field: '', message: 'the same file name is given twice' });
    names.add(file.name);
  }
  const raws = files.map((file) => readPolicyFile(file, issues));
  const catalogue = compileCatalogue(
    raws.flatMap((r) => r.catalogue),
    issues,
  );
  const compile = options.conditions ?? compileCedarConditions;
  const purposes = new Map<string, Purpose>();
  const firstAt = new Map<string, string>();
  for (const purpose of raws.flatMap((r) => r.purposes)) {
    const seen = firstAt.get(purpose.name);
    if (seen) {
      issues.push(
        issueAt(purpose.loc, `purpose "${purpose.name}" is already defined at ${seen}; rename one`),
      );
      continue;
    }
    const compiled = compilePurpose(purpose, catalogue, compile, issues);
    firstAt.set(purpose.name, compiled.at);
    purposes.set(purpose.name, compiled);
  }
  if (files.length === 0)
    issues.push({ file: '(none)', line: 1, field: '', message: 'no policy files given' });
  if (issues.length > 0) throw new PolicyValidationError(issues);
  return { version: policyVersion(files), files: files.map((f) => f.name).sort(), purposes, catalogue };
}
