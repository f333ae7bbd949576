/** Milliseconds since the epoch. Everything time-dependent takes one, so tests can freeze or step time. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
