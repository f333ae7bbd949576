import picomatch from 'picomatch';
import { issueAt, type Located, ruleOf } from '../format/located.js';
import { ResourceKind } from '../format/schema.js';
import type { PolicyIssue } from '../issues.js';
import { CONTROL_CHARS } from '../resource/result.js';
import type { GlobRule } from './bundle.js';

const NUMERIC_RANGE = /\{[^{},]*\.\.[^{},]*\}/;

function globProblem(glob: string, kind: ResourceKind): string | undefined {
  if (glob === '') return 'an empty glob matches nothing; remove it';
  if (CONTROL_CHARS.test(glob)) return 'the glob contains a control character';
  // picomatch would expand {1..9} into a range, which nobody reading the policy expects.
  if (NUMERIC_RANGE.test(glob)) return 'ranges like {1..9} are not supported; list the values: {1,2,3}';
  if (kind === ResourceKind.Path) {
    if (glob.startsWith('/')) return 'path globs are relative to the server root; drop the leading /';
    if (glob.split('/').includes('..'))
      return 'path globs cannot contain ..; resources are matched after .. is resolved';
  }
  try {
    picomatch.makeRe(glob, { dot: true, strictBrackets: true });
  } catch (err) {
    return `the glob does not parse: ${(err as Error).message}`;
  }
  return undefined;
}

/**
 * Compiles `scope`/`exclude` globs once. `dot: true` so `**` also covers dotfiles (an exclude of
 * `**\/.env*` must see `src/.env`); excludes match case-insensitively so a forbid cannot be dodged
 * with `.ENV` on a case-insensitive filesystem.
 */
export function compileGlobs(
  globs: readonly Located<string>[] | undefined,
  kind: ResourceKind,
  forbid: boolean,
  issues: PolicyIssue[],
): GlobRule[] {
  const out: GlobRule[] = [];
  for (const glob of globs ?? []) {
    const problem = globProblem(glob.value, kind);
    if (problem) {
      issues.push(issueAt(glob.loc, problem));
      continue;
    }
    const test = picomatch(glob.value, { dot: true, strictBrackets: true, nocase: forbid });
    out.push({ glob: glob.value, at: ruleOf(glob.loc), test });
  }
  return out;
}
