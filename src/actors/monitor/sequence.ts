import type { PurposeBaseline } from './baseline.js';

/** Evidence (transitions out of a tool) at which the model is trusted half-way. */
const HALF_CONFIDENCE = 20;
/** Weight of the uniform prior when a purpose has no learned transitions at all. */
const COLD_CONFIDENCE = 0.1;

interface Row {
  readonly total: number;
  readonly next: ReadonlyMap<string, number>;
}

/**
 * A purpose's first-order Markov model of tool calls with add-one smoothing, compiled once per purpose
 * so scoring a transition is two map lookups.
 */
export class SequenceModel {
  readonly #rows = new Map<string, Row>();
  /** Distinct tools seen, plus one slot for any tool never seen. */
  readonly #vocabulary: number;

  constructor(baseline: PurposeBaseline) {
    const tools = new Set<string>();
    for (const [from, next] of Object.entries(baseline.transitions)) {
      const counts = new Map(Object.entries(next));
      let total = 0;
      for (const [to, count] of counts) {
        total += count;
        tools.add(to);
      }
      this.#rows.set(from, { total, next: counts });
    }
    this.#vocabulary = tools.size + 1;
  }

  /**
   * How unlikely `from → to` is, in [0, 1], scaled by how much evidence backs the judgement: surprise
   * `−ln p` over the largest possible surprise for that row, where `p = (count + 1) / (total + V)`.
   */
  rarity(from: string, to: string): number {
    const row = this.#rows.get(from);
    if (!row) {
      // Cold start, or a tool never seen at all: the uniform prior says little, so it weighs little.
      return this.#rows.size === 0 ? COLD_CONFIDENCE * 0.5 : COLD_CONFIDENCE;
    }
    const count = row.next.get(to) ?? 0;
    const denominator = row.total + this.#vocabulary;
    const surprise = Math.log(denominator / (count + 1));
    const confidence = row.total / (row.total + HALF_CONFIDENCE);
    return (surprise / Math.log(denominator)) * confidence;
  }
}
