import { badArguments, CONTROL_CHARS, type ResourceResult, resourceOk } from './result.js';

/** A catalogue resource template such as `{owner}/{repo}#{pull_number}`, split once at load time. */
export interface ResourceTemplate {
  readonly text: string;
  readonly parts: readonly (string | { readonly arg: string })[];
  readonly args: readonly string[];
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Parses a template; returns an error message when it is malformed. */
export function parseTemplate(text: string): ResourceTemplate | string {
  const parts: (string | { arg: string })[] = [];
  const args: string[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push({ arg: match[1]! });
    args.push(match[1]!);
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  if (args.length === 0) return 'a resource template needs at least one {argument} placeholder';
  const literal = parts.filter((p) => typeof p === 'string').join('');
  if (/[{}]/.test(literal)) return 'unbalanced { or } outside an {argument} placeholder';
  if (new Set(args).size !== args.length) return 'an argument appears twice in the template';
  return { text, parts, args };
}

/** Characters that would let one argument impersonate the template's own separators or a glob. */
const IDENTIFIER_UNSAFE = /[/#?*[\]{}\\\s]/;

function argValue(args: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = args[name];
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? String(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.normalize('NFC');
  if (text === '' || CONTROL_CHARS.test(text) || IDENTIFIER_UNSAFE.test(text)) return undefined;
  return text;
}

/** Renders an identifier resource (`org/repo#5`) from a call's arguments. */
export function renderIdentifier(
  template: ResourceTemplate,
  args: Readonly<Record<string, unknown>>,
  caseInsensitive: boolean,
): ResourceResult {
  let out = '';
  for (const part of template.parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const value = argValue(args, part.arg);
    if (value === undefined) {
      return badArguments(
        `argument "${part.arg}" must be a non-empty name or a whole number (template ${template.text})`,
      );
    }
    out += value;
  }
  return resourceOk(caseInsensitive ? out.toLowerCase() : out);
}
