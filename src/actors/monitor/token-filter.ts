/**
 * A fixed-size Bloom filter over 32-bit token hashes: bounded memory per session whatever the session
 * reads, O(1) add and lookup. A false positive only ever makes a token look known (less drift) or
 * tainted (one more look from an operator), never hides a secret.
 */
export class TokenFilter {
  readonly #bits: Uint32Array;
  readonly #mask: number;
  #size = 0;

  /**
   * @param log2Bits the filter holds 2^log2Bits bits (15 → 4 KiB, ~3% false positives at 4,000 tokens).
   * @param saved a filter of the same size as `save()` wrote it (a restored session).
   */
  constructor(log2Bits: number, saved?: { readonly bits: string; readonly size: number }) {
    this.#bits = new Uint32Array(1 << Math.max(0, log2Bits - 5));
    this.#mask = (1 << log2Bits) - 1;
    if (saved) {
      const bytes = Buffer.from(saved.bits, 'base64');
      if (bytes.byteLength !== this.#bits.byteLength) {
        throw new RangeError(
          `a saved token filter has ${bytes.byteLength} bytes, not ${this.#bits.byteLength}`,
        );
      }
      new Uint8Array(this.#bits.buffer).set(bytes);
      this.#size = saved.size;
    }
  }

  /** The bits (base64) and the count: plain JSON for the session snapshot. */
  save(): { readonly bits: string; readonly size: number } {
    return { bits: Buffer.from(this.#bits.buffer).toString('base64'), size: this.#size };
  }

  /** Tokens added so far (counting repeats), to judge how full the filter is. */
  get size(): number {
    return this.#size;
  }

  add(hash: number): void {
    // Kirsch–Mitzenmacher: three probes from one hash and a rotated copy of it.
    const step = (hash >>> 17) | (hash << 15) | 1;
    for (let i = 0, probe = hash; i < 3; i++, probe = (probe + step) | 0) {
      const bit = probe & this.#mask;
      this.#bits[bit >>> 5] = (this.#bits[bit >>> 5] ?? 0) | (1 << (bit & 31));
    }
    this.#size++;
  }

  has(hash: number): boolean {
    const step = (hash >>> 17) | (hash << 15) | 1;
    for (let i = 0, probe = hash; i < 3; i++, probe = (probe + step) | 0) {
      const bit = probe & this.#mask;
      if (((this.#bits[bit >>> 5] ?? 0) & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}
