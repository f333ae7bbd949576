import type { CedarSource } from './types.js';

/** One Cedar statement cut out of a source block, with where it sits. */
export interface CedarStatement {
  source: CedarSource;
  /** The statement text, terminating `;` included when present. */
  text: string;
  /** Offset of `text` inside `source.text`. */
  offset: number;
  /** 1-based file line of the statement's first token. */
  line: number;
}

/**
 * Cuts a block into statements at top-level `;`. In Cedar `;` only ends a statement, so a scan that
 * skips string literals and `//` comments finds every boundary; a trailing fragment without `;` is
 * kept so the parser reports it. Blocks holding only whitespace and comments yield nothing.
 */
export function splitStatements(source: CedarSource): CedarStatement[] {
  const { text } = source;
  const statements: CedarStatement[] = [];
  let start = 0;
  let firstToken = -1;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '/' && text[i + 1] === '/') {
      i = skipComment(text, i);
      continue;
    }
    if (isSpace(ch)) {
      i += 1;
      continue;
    }
    if (firstToken < 0) firstToken = i;
    if (ch === '"') {
      i = skipString(text, i);
      continue;
    }
    i += 1;
    if (ch === ';') {
      statements.push(statementAt(source, start, i, firstToken));
      start = i;
      firstToken = -1;
    }
  }
  if (firstToken >= 0) statements.push(statementAt(source, start, text.length, firstToken));
  return statements;
}

/** 1-based file line of `offset` inside `source.text`. */
export function lineAt(source: CedarSource, offset: number): number {
  let line = source.line;
  for (let i = 0; i < offset && i < source.text.length; i += 1) {
    if (source.text[i] === '\n') line += 1;
  }
  return line;
}

function statementAt(source: CedarSource, start: number, end: number, firstToken: number): CedarStatement {
  return { source, text: source.text.slice(start, end), offset: start, line: lineAt(source, firstToken) };
}

/** Index just past the string literal opening at `i` (or the end of text when unterminated). */
function skipString(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
  return Math.min(j + 1, text.length);
}

function skipComment(text: string, i: number): number {
  const end = text.indexOf('\n', i);
  return end < 0 ? text.length : end + 1;
}

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
}
