import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { PolicyFile } from '../format/read-file.js';
import { type PolicyIssue, PolicyValidationError } from '../issues.js';
import type { PolicyBundle } from './bundle.js';
import { type ParsePolicyOptions, parsePolicy } from './parse.js';

const POLICY_FILE = /\.ya?ml$/;

function unreadable(path: string, err: unknown): PolicyIssue {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  return {
    file: path,
    line: 1,
    field: '',
    message: `cannot read it (${code}); check the path and permissions`,
  };
}

/**
 * Reads policy sources: a file, or every `*.yaml`/`*.yml` directly inside a directory. Files are named
 * by base name so the policy version does not depend on where a node keeps its checkout.
 */
export async function readPolicyFiles(paths: string | readonly string[]): Promise<PolicyFile[]> {
  const files: PolicyFile[] = [];
  const issues: PolicyIssue[] = [];
  for (const path of typeof paths === 'string' ? [paths] : paths) {
    try {
      const names = (await stat(path)).isDirectory()
        ? (await readdir(path))
            .filter((n) => POLICY_FILE.test(n))
            .sort()
            .map((n) => join(path, n))
        : [path];
      if (names.length === 0)
        issues.push({ file: path, line: 1, field: '', message: 'holds no .yaml or .yml files' });
      for (const name of names) files.push({ name: basename(name), text: await readFile(name, 'utf8') });
    } catch (err) {
      issues.push(unreadable(path, err));
    }
  }
  if (issues.length > 0) throw new PolicyValidationError(issues);
  return files;
}

/** Loads and compiles policy from files or directories. Throws only PolicyValidationError. */
export async function loadPolicy(
  paths: string | readonly string[],
  options?: ParsePolicyOptions,
): Promise<PolicyBundle> {
  return parsePolicy(await readPolicyFiles(paths), options);
}
