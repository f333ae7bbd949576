import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EnvelopeErrorCode, isEnvelopeError } from '../../../../src/transport/envelope/index.js';
import type { LoadedCase } from './corpus.js';
import { corpusOpener, loadCorpus, outcome } from './corpus.js';

/** Fixed so a failure reproduces; fast-check prints the seed and path of any counterexample. */
const SEED = 0x7e5_7e5;
const RUNS = 4_000;
const KNOWN_CODES = new Set<string>(Object.values(EnvelopeErrorCode));

const { manifest, cases } = loadCorpus();
const validCases = cases.filter((entry) => entry.expect === 'ok');

type Mutation = (bytes: Uint8Array) => Uint8Array;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc
    .record({ at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) })
    .map(({ at, bit }) => (bytes: Uint8Array) => {
      const copy = Uint8Array.from(bytes);
      if (copy.length > 0) copy[at % copy.length]! ^= 1 << bit;
      return copy;
    }),
  fc.nat().map((cut) => (bytes: Uint8Array) => bytes.subarray(0, cut % Math.max(bytes.length, 1))),
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((tail) => (bytes: Uint8Array) => concat(bytes, tail)),
  fc
    .record({ at: fc.nat(), remove: fc.nat({ max: 16 }), insert: fc.uint8Array({ maxLength: 16 }) })
    .map(({ at, remove, insert }) => (bytes: Uint8Array) => {
      const start = at % (bytes.length + 1);
      return concat(bytes.subarray(0, start), insert, bytes.subarray(start + remove));
    }),
  fc.record({ other: fc.constantFrom(...cases), at: fc.nat(), from: fc.nat() }).map(
    ({ other, at, from }) =>
      (bytes: Uint8Array) =>
        concat(
          bytes.subarray(0, at % (bytes.length + 1)),
          other.bytes.subarray(from % (other.bytes.length + 1)),
        ),
  ),
);

/** A corpus entry, mutated one to three times. */
const mutated = fc
  .record({ base: fc.constantFrom(...cases), steps: fc.array(mutation, { minLength: 1, maxLength: 3 }) })
  .map(({ base, steps }) => ({ base, bytes: steps.reduce((bytes, step) => step(bytes), base.bytes) }));

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

/**
 * The codec's contract on hostile input: `open` returns an envelope only for bytes that are exactly
 * a valid corpus envelope (then equal to what was sealed), and otherwise throws an EnvelopeError
 * with a known code. Nothing else, ever.
 */
function checkContract(bytes: Uint8Array, base?: LoadedCase): void {
  const result = outcome(corpusOpener(manifest), bytes, { sid: manifest.sid, kinds: base?.kinds });
  if ('ok' in result) {
    const original = validCases.find((entry) => equalBytes(entry.bytes, bytes));
    expect(original, 'accepted bytes that are not a sealed envelope').toBeDefined();
    expect(result.ok).toEqual(original?.expected);
  } else {
    expect(isEnvelopeError(result.error), String(result.error)).toBe(true);
    expect(KNOWN_CODES.has((result.error as { code: string }).code)).toBe(true);
  }
}

describe('envelope decoder on hostile input', () => {
  it('random bytes only ever give an EnvelopeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => checkContract(bytes)),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('mutated corpus envelopes are never accepted unless unchanged, and never throw anything else', () => {
    fc.assert(
      fc.property(mutated, ({ base, bytes }) => checkContract(bytes, base)),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('flipping any single bit of a valid envelope is refused', () => {
    const notRefused: string[] = [];
    let tried = 0;
    for (const entry of validCases) {
      for (let at = 0; at < entry.bytes.length; at++) {
        for (let bit = 0; bit < 8; bit++) {
          const bytes = Uint8Array.from(entry.bytes);
          bytes[at]! ^= 1 << bit;
          const result = outcome(corpusOpener(manifest), bytes, { sid: manifest.sid });
          if (!('error' in result && isEnvelopeError(result.error)))
            notRefused.push(`${entry.name}@${at}.${bit}`);
          tried++;
        }
      }
    }
    expect(notRefused).toEqual([]);
    expect(tried).toBe(validCases.reduce((sum, entry) => sum + entry.bytes.length * 8, 0));
  });
});
