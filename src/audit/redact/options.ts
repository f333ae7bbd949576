import { AuditError, AuditErrorCode } from '../errors.js';

export interface RedactionOptions {
  /**
   * Keys whose values are always redacted, matched case-insensitively after dropping '-', '_' and
   * '.', anywhere in the key (`db_password` matches `password`). Added to the defaults.
   * @default [] (plus DEFAULT_SENSITIVE_KEYS)
   */
  readonly keys?: readonly string[];
  /** Keys (or dotted paths such as `options.auth`) kept as they are: no key or entropy rule; known secret formats are still redacted. @default [] */
  readonly keep?: readonly string[];
  /** Keys (or dotted paths) whose values never reach the record, e.g. file contents. @default [] */
  readonly drop?: readonly string[];
  /** Deeper values become a marker. @default 8 */
  readonly maxDepth?: number;
  /** Longer strings are cut, with a marker saying how much was cut. @default 2048 */
  readonly maxStringLength?: number;
  /** Array items and object members beyond this become one marker. @default 64 */
  readonly maxItems?: number;
  /** Values written in total, over the whole argument tree. @default 2000 */
  readonly maxNodes?: number;
  /** Shortest token the entropy rule looks at. @default 32 */
  readonly entropyMinLength?: number;
  /** Bits per character above which such a token is a secret. @default 4.2 */
  readonly entropyMinBits?: number;
}

/** Key names that carry credentials in the APIs agents call. */
export const DEFAULT_SENSITIVE_KEYS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'authorization',
  'cookie',
  'credential',
  'privatekey',
  'accesskey',
  'sessionkey',
  'signature',
] as const;

export interface ParsedRedactionOptions {
  readonly keys: readonly string[];
  readonly keep: ReadonlySet<string>;
  readonly drop: ReadonlySet<string>;
  readonly maxDepth: number;
  readonly maxStringLength: number;
  readonly maxItems: number;
  readonly maxNodes: number;
  readonly entropyMinLength: number;
  readonly entropyMinBits: number;
}

/** `API-Key`, `api_key` and `apiKey` are one key. */
export function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[-_.\s]/g, '');
}

export function parseRedactionOptions(options: RedactionOptions = {}): ParsedRedactionOptions {
  const keep = new Set((options.keep ?? []).map(normalisePath));
  const drop = new Set((options.drop ?? []).map(normalisePath));
  const both = [...keep].filter((k) => drop.has(k));
  if (both.length > 0) {
    invalid(`${both.join(', ')} is both kept and dropped; list each key in keep or in drop, not both`);
  }
  const keys = [...DEFAULT_SENSITIVE_KEYS, ...(options.keys ?? []).map(normaliseKey)];
  if (keys.some((k) => k.length === 0)) invalid('an empty sensitive key would match every key; remove it');
  return {
    keys,
    keep,
    drop,
    maxDepth: positive('maxDepth', options.maxDepth, 8),
    maxStringLength: positive('maxStringLength', options.maxStringLength, 2048),
    maxItems: positive('maxItems', options.maxItems, 64),
    maxNodes: positive('maxNodes', options.maxNodes, 2000),
    entropyMinLength: positive('entropyMinLength', options.entropyMinLength, 32),
    entropyMinBits: bits(options.entropyMinBits),
  };
}

/** Paths compare segment by segment with normalised keys: `Options.Auth` is `options.auth`. */
export function normalisePath(path: string): string {
  return path.split('.').map(normaliseKey).join('.');
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isSafeInteger(value) && value > 0)) invalid(`${name} is ${value}; set a positive integer`);
  return value;
}

function bits(value: number | undefined): number {
  if (value === undefined) return 4.2;
  if (!(value > 0 && value <= 8))
    invalid(`entropyMinBits is ${value}; set a number of bits per character in (0, 8]`);
  return value;
}

function invalid(message: string): never {
  throw new AuditError(AuditErrorCode.InvalidOptions, `Invalid redaction options: ${message}.`);
}
