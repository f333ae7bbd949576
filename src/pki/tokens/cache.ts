import type { SessionTokenClaims } from './claims.js';

interface Entry {
  claims: SessionTokenClaims;
  /** Past this instant (ms) the entry is useless: the token has expired beyond the allowed skew. */
  until: number;
}

/**
 * Signature-verified tokens by their exact text, until they expire. The compact JWS itself is the key:
 * equal text means an equal signature, and V8 hashes a string in well under a microsecond, less than
 * a SHA-256 digest of it costs. Bounded: the oldest entry goes first when full.
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(token: string, now: number): SessionTokenClaims | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    if (now <= entry.until) return entry.claims;
    this.#entries.delete(token);
    return undefined;
  }

  set(token: string, claims: SessionTokenClaims, until: number): void {
    if (this.#maxEntries === 0) return;
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(token, { claims, until });
  }

  clear(): void {
    this.#entries.clear();
  }
}
