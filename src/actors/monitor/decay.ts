/** A counter's saved value and the time it was last updated. */
export type CounterState = readonly [value: number, at: number];

/**
 * An exponentially decayed event counter: O(1) per update, two numbers of state. With time constant
 * `tau`, `value` approximates how many events happened in the last `tau` ms, so it doubles as a
 * sliding-window rate (events per `tau`) without keeping the window.
 */
export class DecayedCounter {
  #value = 0;
  #at: number;

  constructor(
    private readonly tauMs: number,
    now: number,
    saved?: CounterState,
  ) {
    this.#at = saved?.[1] ?? now;
    this.#value = saved?.[0] ?? 0;
  }

  /** `[value, at]`, plain JSON for the session snapshot. */
  save(): CounterState {
    return [this.#value, this.#at];
  }

  /** The count as of `now` (never moves time backwards). */
  valueAt(now: number): number {
    const elapsed = now - this.#at;
    return elapsed > 0 ? this.#value * Math.exp(-elapsed / this.tauMs) : this.#value;
  }

  add(now: number, amount = 1): number {
    this.#value = this.valueAt(now) + amount;
    if (now > this.#at) this.#at = now;
    return this.#value;
  }
}

/** Linear ramp: 0 at or below `low`, 1 at or above `high`. */
export function ramp(value: number, low: number, high: number): number {
  if (value <= low) return 0;
  if (value >= high) return 1;
  return (value - low) / (high - low);
}
