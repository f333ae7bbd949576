import { stat, truncate } from 'node:fs/promises';
import type { ChainHead } from '../chain.js';
import { readLines, type Segment } from './segments.js';

/** What opening the log found on disk. */
export interface Recovery {
  /** Each session's last record, read back from every segment. */
  readonly heads: Map<string, ChainHead>;
  /** Size of the last segment after any torn tail was cut. */
  readonly lastSize: number;
  /** Bytes cut from the end of the last segment: a batch a crash interrupted before its sync. */
  readonly tornBytes: number;
}

/**
 * Cuts a torn last line (bytes after the last newline, which no append ever reported durable) and
 * rebuilds the chain heads. Lines that do not parse are left for `verify` to report.
 */
export async function recoverSegments(segments: readonly Segment[]): Promise<Recovery> {
  const heads = new Map<string, ChainHead>();
  let lastSize = 0;
  let tornBytes = 0;
  for (const [i, segment] of segments.entries()) {
    const lines = readLines(segment.path);
    let next = await lines.next();
    while (!next.done) {
      noteHead(heads, next.value.text);
      next = await lines.next();
    }
    if (i !== segments.length - 1) continue;
    const { size } = await stat(segment.path);
    lastSize = next.value.tail;
    tornBytes = size - lastSize;
    if (tornBytes > 0) await truncate(segment.path, lastSize);
  }
  return { heads, lastSize, tornBytes };
}

function noteHead(heads: Map<string, ChainHead>, text: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return;
  }
  if (typeof parsed !== 'object' || parsed === null) return;
  const { session, seq, hash } = parsed as Record<string, unknown>;
  if (typeof session !== 'string' || typeof seq !== 'number' || typeof hash !== 'string') return;
  if (seq > (heads.get(session)?.seq ?? 0)) heads.set(session, { seq, hash });
}
