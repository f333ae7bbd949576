import { isAlias, isMap, isScalar, isSeq, type LineCounter, type Node, Scalar } from 'yaml';
import type { PolicyIssue } from '../issues.js';
import { issueAt, type Loc, type Located } from './located.js';

/** One key of a YAML mapping, with the node it holds and where the key sits. */
export interface Entry {
  readonly key: string;
  readonly node: Node | null;
  readonly loc: Loc;
}

/**
 * Reads typed values out of one YAML document and records every problem it meets instead of
 * stopping at the first: the operator fixes a file in one pass.
 */
export class NodeReader {
  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
    readonly issues: PolicyIssue[],
  ) {}

  loc(node: Node | null | undefined, field: string, fallback?: Loc): Loc {
    const offset = node?.range?.[0];
    if (offset === undefined)
      return fallback ? { ...fallback, field } : { file: this.file, line: 1, column: 1, field };
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, column: col, field };
  }

  fail(loc: Loc, message: string): undefined {
    this.issues.push(issueAt(loc, message));
    return undefined;
  }

  /** The entries of a mapping, in file order; anything else is reported. */
  entries(node: Node | null, loc: Loc): Entry[] | undefined {
    if (isAlias(node)) return this.fail(loc, 'YAML aliases are not supported in policy; write the value out');
    if (!isMap(node)) return this.fail(loc, 'expected a mapping (key: value lines)');
    const out: Entry[] = [];
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      if (!isScalar(keyNode) || (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number')) {
        this.fail(this.loc(keyNode, loc.field, loc), 'expected a plain text key');
        continue;
      }
      const key = String(keyNode.value);
      const field = loc.field === '' ? key : `${loc.field}.${key}`;
      out.push({ key, node: (pair.value as Node | null) ?? null, loc: this.loc(keyNode, field, loc) });
    }
    return out;
  }

  /** A mapping with a fixed set of keys: unknown keys are reported, known ones returned by name. */
  fields<K extends string>(node: Node | null, loc: Loc, keys: readonly K[]): Map<K, Entry> | undefined {
    const entries = this.entries(node, loc);
    if (!entries) return undefined;
    const known = new Map<K, Entry>();
    for (const entry of entries) {
      if ((keys as readonly string[]).includes(entry.key)) known.set(entry.key as K, entry);
      else this.fail(entry.loc, `unknown key "${entry.key}"; expected one of: ${keys.join(', ')}`);
    }
    return known;
  }

  /** The raw scalar value of an entry, or undefined when it is not a scalar. */
  value(entry: Entry): unknown {
    if (isAlias(entry.node))
      return this.fail(entry.loc, 'YAML aliases are not supported in policy; write the value out');
    if (!isScalar(entry.node)) return undefined;
    return entry.node.value;
  }

  private at(entry: Entry): Loc {
    return this.loc(entry.node, entry.loc.field, entry.loc);
  }

  string(entry: Entry | undefined): Located<string> | undefined {
    if (!entry) return undefined;
    const value = this.value(entry);
    if (typeof value !== 'string') return this.fail(this.at(entry), 'expected a text value');
    return { value, loc: entry.loc };
  }

  /**
   * Embedded program text (Cedar). The location is the line the text itself starts on: the line after
   * the key for a `|` or `>` block, the key's line otherwise.
   */
  embedded(entry: Entry | undefined): Located<string> | undefined {
    const text = this.string(entry);
    if (!text || !entry) return undefined;
    const start = this.loc(entry.node, entry.loc.field, entry.loc);
    const block =
      isScalar(entry.node) &&
      (entry.node.type === Scalar.BLOCK_LITERAL || entry.node.type === Scalar.BLOCK_FOLDED);
    return { value: text.value, loc: { ...start, line: block ? start.line + 1 : start.line } };
  }

  boolean(entry: Entry | undefined): Located<boolean> | undefined {
    if (!entry) return undefined;
    const value = this.value(entry);
    if (typeof value !== 'boolean') return this.fail(this.at(entry), 'expected true or false');
    return { value, loc: entry.loc };
  }

  /** A whole number ≥ 0 (limits, counts, seconds). */
  count(entry: Entry | undefined): Located<number> | undefined {
    if (!entry) return undefined;
    const value = this.value(entry);
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      return this.fail(this.at(entry), 'expected a whole number ≥ 0');
    }
    return { value, loc: entry.loc };
  }

  oneOf<T extends string>(entry: Entry | undefined, allowed: readonly T[]): Located<T> | undefined {
    const text = this.string(entry);
    if (!text) return undefined;
    if (!(allowed as readonly string[]).includes(text.value)) {
      return this.fail(text.loc, `"${text.value}" is not one of: ${allowed.join(', ')}`);
    }
    return text as Located<T>;
  }

  /** One text value or a list of them (`scope: "a/**"` and `scope: ["a/**", "b/**"]` both read). */
  strings(entry: Entry | undefined): Located<string>[] | undefined {
    if (!entry) return undefined;
    if (!isSeq(entry.node)) {
      const one = this.string(entry);
      return one ? [one] : undefined;
    }
    const out: Located<string>[] = [];
    entry.node.items.forEach((item, i) => {
      const field = `${entry.loc.field}[${i}]`;
      const text = this.string({
        key: String(i),
        node: item as Node | null,
        loc: this.loc(item as Node, field, entry.loc),
      });
      if (text) out.push(text);
    });
    return out;
  }

  /** The items of a sequence, each with its location. */
  items(entry: Entry | undefined): Entry[] | undefined {
    if (!entry) return undefined;
    if (!isSeq(entry.node)) return this.fail(this.at(entry), 'expected a list');
    return entry.node.items.map((item, i) => {
      const field = `${entry.loc.field}[${i}]`;
      return { key: String(i), node: item as Node | null, loc: this.loc(item as Node, field, entry.loc) };
    });
  }
}
