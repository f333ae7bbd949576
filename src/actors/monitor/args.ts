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
  walk(args, 0, false, freeTextKeys, visit, MAX_VALUES);
}

/** One level of the walk; returns the values still allowed (a module function: no closure per call). */
function walk(
  value: unknown,
  depth: number,
  freeText: boolean,
  keys: ReadonlySet<string>,
  visit: ArgumentVisitor,
  budget: number,
): number {
  if (budget <= 0) return budget;
  if (typeof value === 'string') {
    visit(value, freeText);
    return budget - 1;
  }
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return budget;
  let left = budget;
  if (Array.isArray(value)) {
    for (const item of value) left = walk(item, depth + 1, freeText, keys, visit, left);
  } else {
    for (const key in value) {
      const item = (value as Record<string, unknown>)[key];
      left = walk(item, depth + 1, freeText || keys.has(key), keys, visit, left);
    }
  }
  return left;
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
