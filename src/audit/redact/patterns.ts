/** A secret format found inside a string. `group`: redact only that capture group, keep the rest. */
export interface SecretPattern {
  readonly rule: string;
  readonly pattern: RegExp;
  readonly group?: number;
}

/**
 * Published formats of real credentials. A match is near-certain, so these apply even to keys that
 * policy says to keep. Every pattern is global and linear (no nested quantifiers).
 */
export const SECRET_PATTERNS: readonly SecretPattern[] = [
  {
    rule: 'private-key',
    // An unterminated block (a truncated paste) is redacted to the end of the string.
    pattern:
      /-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)/g,
  },
  { rule: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g },
  {
    rule: 'aws-access-key',
    pattern: /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA)[A-Z0-9]{16}\b/g,
  },
  // 40 base64 characters with upper, lower and a digit or '/' '+': git SHA-1s (lowercase hex) never match.
  {
    rule: 'aws-secret-key',
    pattern:
      /(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]*[A-Z])(?=[A-Za-z0-9/+]*[a-z])(?=[A-Za-z0-9/+]*[0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
  },
  { rule: 'github-token', pattern: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}\b/g },
  { rule: 'github-token', pattern: /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g },
  { rule: 'slack-token', pattern: /\bxox[baprs]-[A-Za-z0-9-]{10,250}/g },
  { rule: 'stripe-key', pattern: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,247}\b/g },
  { rule: 'bearer', pattern: /\b(Bearer\s+)([A-Za-z0-9._~+/-]{8,}=*)/gi, group: 2 },
  { rule: 'url-password', pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/?#]+:)([^\s@/?#]+)(?=@)/gi, group: 2 },
];

/** Runs of token characters long enough to be keys; '/' splits them so paths never form one run. */
const TOKEN = /[A-Za-z0-9+_-]+=*/g;

/** Bits of Shannon entropy per character of `text`. */
export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * Random-looking tokens: at least `minLength` characters, letters of both cases and a digit, and
 * more than `minBits` per character. Hex digests (4 bits at most) and words stay below the bar.
 */
export function highEntropyTokens(text: string, minLength: number, minBits: number): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (const match of text.matchAll(TOKEN)) {
    const token = match[0];
    if (token.length < minLength) continue;
    if (!(/[a-z]/.test(token) && /[A-Z]/.test(token) && /[0-9]/.test(token))) continue;
    if (shannonEntropy(token) > minBits) spans.push([match.index, match.index + token.length]);
  }
  return spans;
}
