import { CapabilityError, CapabilityErrorCode } from './errors.js';

export interface NonceCacheOptions {
  /** Most live nonces held at once; beyond it new capabilities are refused, never old nonces forgotten. @default 100_000 */
  readonly maxEntries?: number;
}

export const DEFAULT_NONCE_CACHE_ENTRIES = 100_000;

/**
 * The nonces of capabilities already used, each kept until its capability expires (after that the
 * expiry check refuses a replay on its own). Entries leave in insertion order: capabilities have
 * short, similar lifetimes, so the oldest entry is almost always the first to expire, and one whose
 * neighbour behind it expired earlier merely stays a little longer. Every operation is O(1) amortised.
 *
 * Full means refusing new capabilities: forgetting a live nonce would reopen the replay it guards.
 */
export class NonceCache {
  readonly #entries = new Map<string, number>();
  readonly #maxEntries: number;

  constructor(options: NonceCacheOptions = {}) {
    const maxEntries = options.maxEntries ?? DEFAULT_NONCE_CACHE_ENTRIES;
    if (!(Number.isSafeInteger(maxEntries) && maxEntries > 0)) {
      throw new CapabilityError(
        CapabilityErrorCode.InvalidOptions,
        `nonce cache maxEntries is ${maxEntries}; set a positive integer.`,
      );
    }
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Records `nonce` (live until `exp`) or throws `ERR_CAPABILITY_REPLAY` if it is already recorded. */
  use(nonce: string, exp: number, now: number): void {
    this.#evictExpired(now);
    if (this.#entries.has(nonce)) {
      throw new CapabilityError(
        CapabilityErrorCode.Replay,
        'This capability was already used; each capability authorises exactly one call. Ask the session for a new one.',
      );
    }
    if (this.#entries.size >= this.#maxEntries) {
      throw new CapabilityError(
        CapabilityErrorCode.NonceCacheFull,
        `The broker holds ${this.#maxEntries} unexpired capabilities and refuses new ones until some expire; retry shortly or raise the nonce cache size.`,
      );
    }
    this.#entries.set(nonce, exp);
  }

  #evictExpired(now: number): void {
    for (const [nonce, exp] of this.#entries) {
      if (exp >= now) return;
      this.#entries.delete(nonce);
    }
  }
}
