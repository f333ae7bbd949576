import { lstatSync, realpathSync } from 'node:fs';
import { badResource, type ResourceResult, resourceOk } from './result.js';

/**
 * Turns a lexically canonical, root-relative path into the path the server will really open. The
 * decision engine stays pure by taking one of these: production injects `createFsResolver()`, pure
 * callers (tests of other layers, models, explain without a checkout) `lexicalResolver`.
 */
export interface ResourceResolver {
  resolvePath(root: string, relative: string): ResourceResult;
}

/** Resolves nothing: trusts the lexical form. Correct only where no links exist under the root. */
export const lexicalResolver: ResourceResolver = {
  resolvePath: (_root, relative) => resourceOk(relative),
};

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function tryRealpath(path: string): string | undefined {
  try {
    return realpathSync.native(path);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

/**
 * Follows links the way the server will: the longest existing prefix is resolved with the kernel's
 * realpath, the missing rest is appended as written (a file about to be created). A dangling link in
 * the way is refused, since writing through it would create its target wherever it points. Roots are
 * resolved once per resolver: make a new resolver when server configuration changes.
 */
export function createFsResolver(): ResourceResolver {
  const realRoots = new Map<string, string>();
  const realRoot = (root: string): string | undefined => {
    let real = realRoots.get(root);
    if (real === undefined) {
      real = tryRealpath(root);
      if (real !== undefined) realRoots.set(root, real);
    }
    return real;
  };
  return {
    resolvePath(root, relative) {
      const base = realRoot(root);
      if (base === undefined) return badResource(`the server root ${root} does not exist on this host`);
      const segments = relative === '.' ? [] : relative.split('/');
      try {
        for (let keep = segments.length; keep >= 0; keep--) {
          const real = tryRealpath([base, ...segments.slice(0, keep)].join('/'));
          if (real === undefined) continue;
          const next = segments[keep];
          if (
            next !== undefined &&
            lstatSync(`${real}/${next}`, { throwIfNoEntry: false })?.isSymbolicLink()
          ) {
            return badResource('the path goes through a link whose target does not exist');
          }
          const resolved = [real, ...segments.slice(keep)].join('/');
          if (resolved === base) return resourceOk('.');
          if (!resolved.startsWith(`${base}/`))
            return badResource('the path resolves (through a link) outside the server root');
          return resourceOk(resolved.slice(base.length + 1));
        }
      } catch (err) {
        return badResource(`the path cannot be resolved (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      return badResource('the path cannot be resolved');
    },
  };
}
