import { badResource, CONTROL_CHARS, type ResourceResult, resourceOk } from './result.js';

/** Percent-decoding rounds before a path is refused as deliberately obfuscated. */
const MAX_DECODE_ROUNDS = 3;

function decodeUntilStable(text: string): string | undefined {
  let current = text;
  for (let round = 0; current.includes('%'); round++) {
    if (round === MAX_DECODE_ROUNDS) return undefined;
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return undefined;
    }
    if (next === current) break;
    current = next;
  }
  return current;
}

/** Applies `.` and `..` to `base` (mutated); false when `..` would climb above `floor` segments. */
function walk(base: string[], segments: readonly string[], floor: number): boolean {
  for (const segment of segments) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (base.length <= floor) return false;
      base.pop();
    } else base.push(segment);
  }
  return true;
}

/**
 * The lexical canonical form of a path argument, relative to `root` (an absolute path): percent-decoded
 * until stable, NFC-normalised, control characters refused, `.`/`..`/repeated slashes folded the way
 * `path.resolve` folds them (as the filesystem MCP server does before it opens anything). Returns the
 * root-relative path (`.` for the root itself) or a refusal when the path leaves the root.
 */
export function canonicalRelativePath(raw: string, root: string): ResourceResult {
  const decoded = decodeUntilStable(raw);
  if (decoded === undefined) return badResource('the path has malformed or nested percent-encoding');
  const text = decoded.normalize('NFC');
  if (text === '') return badResource('the path is empty');
  if (CONTROL_CHARS.test(text)) return badResource('the path contains NUL or another control character');
  // Refused rather than guessed: a backslash is a separator on some servers, and `~` is expanded by others.
  if (text.includes('\\')) return badResource('the path contains a backslash');
  if (text === '~' || text.startsWith('~/')) return badResource('the path starts with ~ (home directory)');
  const rootSegments = root.split('/').filter((s) => s !== '');
  if (text.startsWith('/')) {
    const absolute: string[] = [];
    if (!walk(absolute, text.split('/'), 0)) return badResource('the path climbs above /');
    const inside = rootSegments.every((segment, i) => absolute[i] === segment);
    if (!inside) return badResource('the path is outside the server root');
    const relative = absolute.slice(rootSegments.length);
    return resourceOk(relative.length === 0 ? '.' : relative.join('/'));
  }
  const relative: string[] = [];
  if (!walk(relative, text.split('/'), 0))
    return badResource('the path climbs out of the server root with ..');
  return resourceOk(relative.length === 0 ? '.' : relative.join('/'));
}
