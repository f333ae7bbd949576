import { posix } from 'node:path';

/** How deep and how wide argument objects are walked: arguments are agent input, so the walk is bounded. */
const MAX_DEPTH = 6;
const MAX_VALUES = 256;
const MAX_PATH_LENGTH = 1024;
/** A path has a separator or a dot and no whitespace. */
const PATH_LIKE = /^[^\s\0]*[/.][^\s\0]*$/;
const NEEDS_FOLDING = /\/\.|\/\/|^\.\.?\//;
const LEADING_ROOT = /^(\/|\.\/)+/;

/** Called for every string argument value; `freeText` when it sits under a prose key (`body`, `message`, …). */
export type ArgumentVisitor = (value: string, freeText: boolean) => void;

/** Visits the string values of `args` (objects and arrays, bounded in depth and count). */
export function visitStrings(args: unknown, freeTextKeys: ReadonlySet<string>, visit: ArgumentVisitor): void {
  let budget = MAX_VALUES;
  const walk = (value: unknown, depth: number, freeText: boolean): void => {
    if (budget <= 0) return;
    if (typeof value === 'string') {
      budget--;
      visit(value, freeText);
    } else if (Array.isArray(value)) {
      if (depth < MAX_DEPTH) for (const item of value) walk(item, depth + 1, freeText);
    } else if (value !== null && typeof value === 'object' && depth < MAX_DEPTH) {
      for (const key in value) {
        walk((value as Record<string, unknown>)[key], depth + 1, freeText || freeTextKeys.has(key));
      }
    }
  };
  walk(args, 0, false);
}

/**
 * The path a string names, folded the way a filesystem would read it (`src/../.env` → `.env`), with the
 * root dropped so `**` globs match absolute paths too; `undefined` for values that cannot be a path.
 */
export function asPath(value: string): string | undefined {
  if (value.length === 0 || value.length > MAX_PATH_LENGTH || !PATH_LIKE.test(value)) return undefined;
  const stripped = value.startsWith('file://') ? value.slice('file://'.length) : value;
  // Normalising is the costly part; most paths need none.
  const folded = NEEDS_FOLDING.test(stripped) ? posix.normalize(stripped) : stripped;
  return folded.replace(LEADING_ROOT, '');
}
