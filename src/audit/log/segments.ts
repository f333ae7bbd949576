import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const SEGMENT = /^audit-(\d{12})\.jsonl$/;

/** One file of the log; segments are written in `index` order and never change once rotated. */
export interface Segment {
  readonly index: number;
  readonly path: string;
}

export function segmentPath(dir: string, index: number): string {
  return join(dir, `audit-${String(index).padStart(12, '0')}.jsonl`);
}

/** The log's segments, oldest first; an absent directory has none. */
export async function listSegments(dir: string): Promise<Segment[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .flatMap((name) => {
      const match = SEGMENT.exec(name);
      return match?.[1] === undefined ? [] : [{ index: Number(match[1]), path: join(dir, name) }];
    })
    .sort((a, b) => a.index - b.index);
}

/** One complete line of a file: its text, 1-based number and the byte offset just past its newline. */
export interface Line {
  readonly text: string;
  readonly number: number;
  readonly end: number;
}

/**
 * The complete lines of `path` from byte `from` (a line start), read in chunks. Bytes after the last
 * newline are a line still being written (or torn by a crash) and are not returned; `tail` says where
 * they start.
 */
export async function* readLines(
  path: string,
  from = 0,
  firstLineNumber = 1,
): AsyncGenerator<Line, { tail: number }> {
  const file = await open(path, 'r');
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    let carry = Buffer.alloc(0);
    let position = from;
    let start = from;
    let number = firstLineNumber;
    for (;;) {
      const { bytesRead } = await file.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) return { tail: start };
      position += bytesRead;
      const data =
        carry.length === 0
          ? chunk.subarray(0, bytesRead)
          : Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
      let cut = 0;
      for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10, cut)) {
        start += nl + 1 - cut;
        yield { text: data.toString('utf8', cut, nl), number: number++, end: start };
        cut = nl + 1;
      }
      carry = Buffer.from(data.subarray(cut));
    }
  } finally {
    await file.close();
  }
}

/** A place in the log: a byte offset at a line start in one segment. */
export interface LogPosition {
  readonly segment: number;
  readonly offset: number;
}

/** A complete line and the segment it is in. */
export interface PositionedLine extends Line {
  readonly segment: number;
  readonly file: string;
}

/** Every complete line of the log in `dir` after `from`, oldest first, across segments. */
export async function* linesFrom(dir: string, from: LogPosition): AsyncGenerator<PositionedLine> {
  for (const segment of await listSegments(dir)) {
    if (segment.index < from.segment) continue;
    const offset = segment.index === from.segment ? from.offset : 0;
    for await (const line of readLines(segment.path, offset)) {
      yield { ...line, segment: segment.index, file: segment.path };
    }
  }
}
