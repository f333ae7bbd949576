export type { ParsedRedactionOptions, RedactionOptions } from './options.js';
export { DEFAULT_SENSITIVE_KEYS, parseRedactionOptions } from './options.js';
export type { SecretPattern } from './patterns.js';
export { SECRET_PATTERNS, shannonEntropy } from './patterns.js';
export type { Redacted } from './redactor.js';
export { RedactionRule, Redactor, redactedMarker } from './redactor.js';
