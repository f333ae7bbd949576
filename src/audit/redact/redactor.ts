import {
  normaliseKey,
  type ParsedRedactionOptions,
  parseRedactionOptions,
  type RedactionOptions,
} from './options.js';
import { highEntropyTokens, SECRET_PATTERNS } from './patterns.js';

/** What replaces a redacted value or span. */
export function redactedMarker(rule: string): string {
  return `[REDACTED:${rule}]`;
}

/** A JSON value safe to hash and write. */
export type Redacted = null | boolean | number | string | Redacted[] | { [key: string]: Redacted };

/** Rule names (besides the secret formats) that show up in markers. */
export const RedactionRule = {
  Key: 'key',
  Drop: 'drop',
  Entropy: 'entropy',
  Error: 'error',
} as const;
export type RedactionRule = (typeof RedactionRule)[keyof typeof RedactionRule];

interface Walk {
  nodes: number;
  readonly seen: Set<object>;
}

/**
 * Turns call arguments into what an audit record may keep. Never throws: anything it cannot read
 * becomes a marker, because a redaction failure must neither leak a value nor block the audit.
 */
export class Redactor {
  readonly #options: ParsedRedactionOptions;

  constructor(options?: RedactionOptions) {
    this.#options = parseRedactionOptions(options);
  }

  redact(value: unknown): Redacted {
    try {
      return this.#value(value, '', 0, { nodes: 0, seen: new Set() });
    } catch {
      return redactedMarker(RedactionRule.Error);
    }
  }

  /** Secret formats (and, unless `keep`, high-entropy tokens) inside one string. */
  redactString(text: string, keep = false): string {
    let out = text;
    for (const { rule, pattern, group } of SECRET_PATTERNS) {
      out = out.replace(pattern, (...match: unknown[]) =>
        group === undefined
          ? redactedMarker(rule)
          : (match.slice(1, group) as string[]).join('') + redactedMarker(rule),
      );
    }
    if (keep) return out;
    const spans = highEntropyTokens(out, this.#options.entropyMinLength, this.#options.entropyMinBits);
    for (const [start, end] of spans.reverse()) {
      out = out.slice(0, start) + redactedMarker(RedactionRule.Entropy) + out.slice(end);
    }
    return out;
  }

  #value(value: unknown, path: string, depth: number, walk: Walk, keep = false): Redacted {
    if (++walk.nodes > this.#options.maxNodes) return '[TRUNCATED:size]';
    switch (typeof value) {
      case 'string':
        return this.#truncate(this.redactString(value, keep));
      case 'number':
        return Number.isFinite(value) ? value : String(value);
      case 'boolean':
        return value;
      case 'bigint':
        return value.toString();
      case 'object':
        if (value === null) return null;
        return this.#object(value, path, depth, walk, keep);
      default:
        // undefined, functions and symbols carry nothing JSON can hold.
        return null;
    }
  }

  #object(value: object, path: string, depth: number, walk: Walk, keep: boolean): Redacted {
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
    if (ArrayBuffer.isView(value)) return `[BINARY:${value.byteLength} bytes]`;
    if (depth >= this.#options.maxDepth) return '[TRUNCATED:depth]';
    if (walk.seen.has(value)) return '[TRUNCATED:cycle]';
    walk.seen.add(value);
    const max = this.#options.maxItems;
    let out: Redacted;
    if (Array.isArray(value)) {
      const items = value.slice(0, max).map((item) => this.#value(item, path, depth + 1, walk, keep));
      if (value.length > max) items.push(`[TRUNCATED:${value.length - max} more items]`);
      out = items;
    } else {
      const entries = Object.entries(value);
      const members: Record<string, Redacted> = {};
      for (const [key, member] of entries.slice(0, max)) {
        members[key] = this.#member(key, member, path, depth, walk, keep);
      }
      if (entries.length > max) members['…'] = `[TRUNCATED:${entries.length - max} more keys]`;
      out = members;
    }
    walk.seen.delete(value);
    return out;
  }

  #member(key: string, value: unknown, path: string, depth: number, walk: Walk, keep: boolean): Redacted {
    const name = normaliseKey(key);
    const childPath = path === '' ? name : `${path}.${name}`;
    const listed = (set: ReadonlySet<string>) => set.has(name) || set.has(childPath);
    if (listed(this.#options.drop)) return redactedMarker(RedactionRule.Drop);
    const kept = keep || listed(this.#options.keep);
    if (!kept && this.#options.keys.some((k) => name.includes(k))) return redactedMarker(RedactionRule.Key);
    return this.#value(value, childPath, depth + 1, walk, kept);
  }

  #truncate(text: string): string {
    const max = this.#options.maxStringLength;
    return text.length <= max ? text : `${text.slice(0, max)}[TRUNCATED:${text.length - max} more chars]`;
  }
}
