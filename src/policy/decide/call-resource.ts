import type { CatalogueEntry } from '../compile/bundle.js';
import { ResourceKind } from '../format/schema.js';
import { canonicalRelativePath } from '../resource/path.js';
import type { ResourceResolver } from '../resource/resolver.js';
import {
  badArguments,
  badResource,
  CONTROL_CHARS,
  type ResourceResult,
  resourceOk,
} from '../resource/result.js';
import { renderIdentifier } from '../resource/template.js';

const NO_ARGS: Readonly<Record<string, unknown>> = Object.freeze({});

/** The call's arguments as a plain object, or undefined when they are some other shape. */
export function argsObject(args: unknown): Readonly<Record<string, unknown>> | undefined {
  if (args === undefined) return NO_ARGS;
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return undefined;
  return args as Record<string, unknown>;
}

/** The canonical resource a catalogued tool acts on, or undefined when it acts on none. */
export function toolResource(
  entry: CatalogueEntry,
  args: Readonly<Record<string, unknown>>,
  resolver: ResourceResolver,
): ResourceResult | undefined {
  const template = entry.template;
  if (!template) return undefined;
  if (entry.kind !== ResourceKind.Path) return renderIdentifier(template, args, entry.caseInsensitive);
  const arg = template.args[0]!;
  const raw = args[arg];
  if (typeof raw !== 'string') return badArguments(`argument "${arg}" must be a path (text)`);
  const lexical = canonicalRelativePath(raw, entry.root!);
  return lexical.ok ? resolver.resolvePath(entry.root!, lexical.value) : lexical;
}

/**
 * The canonical resource of a granted MCP method: a resource URI (dot segments and encodings folded
 * by the WHATWG URL parser) or a prompt name.
 */
export function methodResource(param: string, args: Readonly<Record<string, unknown>>): ResourceResult {
  const raw = args[param];
  if (typeof raw !== 'string' || raw === '')
    return badArguments(`parameter "${param}" must be non-empty text`);
  const text = raw.normalize('NFC');
  if (CONTROL_CHARS.test(text)) return badResource(`"${param}" contains a control character`);
  if (param !== 'uri') return resourceOk(text);
  try {
    return resourceOk(new URL(text).href);
  } catch {
    return badArguments('parameter "uri" is not a valid URI');
  }
}
