/**
 * Tokenising without allocation: text is scanned once, each alphanumeric run is hashed (FNV-1a over
 * lower-cased code units) as it is read, and only the hash and a few shape bits reach the caller.
 */

/** Runs shorter than this carry no signal (`a`, `of`, `id`) and are skipped. */
const MIN_TOKEN_LENGTH = 3;
/** A token this long, or mixing letters and digits at MIN_DISTINCTIVE_LENGTH, is specific enough to taint. */
const LONG_TOKEN_LENGTH = 20;
const MIN_DISTINCTIVE_LENGTH = 8;
/** Pure numbers shorter than this (line numbers, PR numbers, ports) are skipped. */
const MIN_NUMBER_LENGTH = 6;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Called for every kept token: its 32-bit hash and whether it is specific enough to be a secret's piece. */
export type TokenSink = (hash: number, distinctive: boolean) => void;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c > 127;
}

/** Feeds `sink` every token of `text` up to `maxChars` characters; returns how many tokens were kept. */
export function scanTokens(text: string, maxChars: number, sink: TokenSink): number {
  const end = Math.min(text.length, maxChars);
  let kept = 0;
  let hash = FNV_OFFSET;
  let length = 0;
  let digits = 0;
  for (let i = 0; i <= end; i++) {
    const c = i < end ? text.charCodeAt(i) : 32;
    if (isDigit(c) || isLetter(c)) {
      const lower = c >= 65 && c <= 90 ? c + 32 : c;
      hash = Math.imul(hash ^ lower, FNV_PRIME);
      length++;
      if (isDigit(c)) digits++;
      continue;
    }
    if (length >= MIN_TOKEN_LENGTH && (digits < length || length >= MIN_NUMBER_LENGTH)) {
      const mixed = digits > 0 && digits < length;
      sink(hash >>> 0, length >= LONG_TOKEN_LENGTH || (mixed && length >= MIN_DISTINCTIVE_LENGTH));
      kept++;
    }
    hash = FNV_OFFSET;
    length = 0;
    digits = 0;
  }
  return kept;
}
