import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { Clock } from '../../../../src/clock.js';
import type { EnvelopeErrorCode } from '../../../../src/transport/envelope/index.js';
import { EnvelopeError, hmacKey } from '../../../../src/transport/envelope/index.js';

export const T0 = 1_700_000_000_000;

/** A clock that only moves when the test says so. */
export function steppedClock(start = T0): Clock & { advance(ms: number): void } {
  let now = start;
  return Object.assign(() => now, {
    advance(ms: number) {
      now += ms;
    },
  });
}

export function freshHmacKey(kid = 'ch.test.c2s') {
  return hmacKey(kid, randomBytes(32));
}

export function text(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

/** Runs `act` and asserts it threw an EnvelopeError with `code`. */
export function expectCode(act: () => unknown, code: EnvelopeErrorCode): EnvelopeError {
  let thrown: unknown;
  try {
    act();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(EnvelopeError);
  expect((thrown as EnvelopeError).code).toBe(code);
  return thrown as EnvelopeError;
}
