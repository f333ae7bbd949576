/** Longest preview an approver sees; the digest, not the preview, is what the capability binds. */
export const MAX_PREVIEW_CHARS = 1024;
const MAX_STRING_CHARS = 200;
const SENSITIVE_KEY = /pass|secret|token|key|auth|cookie|credential|session|private/i;

function redact(value: unknown, depth: number): unknown {
  if (typeof value === 'string') {
    return value.length > MAX_STRING_CHARS ? `${value.slice(0, MAX_STRING_CHARS)}…` : value;
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 4) return '…';
  if (Array.isArray(value)) return value.slice(0, 20).map((item) => redact(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, SENSITIVE_KEY.test(k) ? '[redacted]' : redact(v, depth + 1)]),
  );
}

/**
 * What an approver is shown of a call's arguments: values under sensitive-looking keys replaced,
 * long strings and deep structures cut, the whole bounded to `MAX_PREVIEW_CHARS`.
 */
export function argumentPreview(args: unknown): string {
  const text = JSON.stringify(redact(args ?? {}, 0)) ?? '{}';
  return text.length > MAX_PREVIEW_CHARS ? `${text.slice(0, MAX_PREVIEW_CHARS)}…` : text;
}
