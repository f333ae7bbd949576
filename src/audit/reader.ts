import { type Line, linesFrom, readLines } from './log/index.js';

/** Where records are read from: a log directory (every segment, in order) or one JSON-lines file. */
export type AuditSource = { readonly dir: string } | { readonly file: string };

/** A line of a log or export, with where it is. */
export interface SourceLine extends Line {
  readonly file: string;
}

/** Every complete line of `source`, oldest first. */
export async function* sourceLines(source: AuditSource): AsyncGenerator<SourceLine> {
  if ('dir' in source) {
    yield* linesFrom(source.dir, { segment: 1, offset: 0 });
    return;
  }
  for await (const line of readLines(source.file)) yield { ...line, file: source.file };
}

/** A line's JSON value, or undefined when it is not JSON. */
export function parseLine(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
