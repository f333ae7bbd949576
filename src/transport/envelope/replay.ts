/**
 * Anti-replay window for one (session, key) pair, as IPsec does it (RFC 4303 §3.4.3): the highest
 * sequence seen plus a bitmap of the `size` sequences below it. Older sequences are refused, each
 * sequence inside the window is accepted once, and memory is fixed at `size` bits whatever arrives.
 */
export class ReplayWindow {
  readonly #size: number;
  // A ring of `ringBits >= size` bits indexed by `seq % ringBits`; bits are cleared as the top advances.
  readonly #ring: Uint32Array;
  readonly #ringBits: number;
  #top = 0;

  constructor(size: number) {
    this.#size = size;
    this.#ring = new Uint32Array(Math.ceil(size / 32));
    this.#ringBits = this.#ring.length * 32;
  }

  /** Records `seq` and returns true, or returns false when it was already seen or fell out of the window. */
  accept(seq: number): boolean {
    if (seq > this.#top) {
      this.#advance(seq);
      this.#bit(seq, true);
      return true;
    }
    if (seq <= this.#top - this.#size || this.#seen(seq)) return false;
    this.#bit(seq, true);
    return true;
  }

  #advance(seq: number): void {
    if (seq - this.#top >= this.#ringBits) this.#ring.fill(0);
    else for (let s = this.#top + 1; s <= seq; s++) this.#bit(s, false);
    this.#top = seq;
  }

  #seen(seq: number): boolean {
    const at = seq % this.#ringBits;
    return ((this.#ring[at >>> 5]! >>> (at & 31)) & 1) === 1;
  }

  #bit(seq: number, on: boolean): void {
    const at = seq % this.#ringBits;
    const mask = 1 << (at & 31);
    const word = at >>> 5;
    this.#ring[word] = on ? this.#ring[word]! | mask : this.#ring[word]! & ~mask;
  }
}
