/**
 * Values that look like credentials whatever file they came from: an output carrying one is treated as a
 * sensitive read, and the values themselves are tainted. Formats are the providers' documented prefixes;
 * the last alternative is the generic `KEY=value` assignment of dotenv and config files.
 */
const SECRET_PATTERN = new RegExp(
  [
    String.raw`\bAKIA[0-9A-Z]{16}\b`,
    String.raw`\bgh[pousr]_[A-Za-z0-9]{36,}\b`,
    String.raw`\bgithub_pat_[A-Za-z0-9_]{40,}\b`,
    String.raw`\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}\b`,
    String.raw`\bxox[abposr]-[A-Za-z0-9-]{10,}\b`,
    String.raw`\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}\b`,
    String.raw`\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}`,
    String.raw`-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]{0,4096}?-----END [A-Z ]*PRIVATE KEY-----`,
    String.raw`(?:password|passwd|secret|token|api[_-]?key|access[_-]?key)["']?\s*[:=]\s*["']?[^\s"']{8,}`,
  ].join('|'),
  'gi',
);

/** Calls `found` with each secret-looking value in the first `maxChars` of `text`; returns how many. */
export function findSecrets(text: string, maxChars: number, found: (value: string) => void): number {
  const scanned = text.length > maxChars ? text.slice(0, maxChars) : text;
  let count = 0;
  for (const match of scanned.matchAll(SECRET_PATTERN)) {
    found(match[0]);
    count++;
  }
  return count;
}
