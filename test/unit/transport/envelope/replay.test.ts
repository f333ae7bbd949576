import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EnvelopeErrorCode,
  EnvelopeOpener,
  EnvelopeSealer,
  generateKeyPair,
  KeyRing,
} from '../../../../src/transport/envelope/index.js';
import { ReplayWindow } from '../../../../src/transport/envelope/replay.js';
import { expectCode, T0 } from './helpers.js';

const SID = 'sess-replay';

describe('replay window through the opener', () => {
  const { signingKey, verifyingKey } = generateKeyPair('ed25519');
  const sealer = new EnvelopeSealer(signingKey, { clock: () => T0 });
  // Sealed in order 1..40; the tests deliver them out of order.
  const sealed = Array.from({ length: 40 }, () => sealer.seal('rpc', SID, new Uint8Array([1])));
  const bySeq = (seq: number) => sealed[seq - 1]!;
  const newOpener = () =>
    new EnvelopeOpener(new KeyRing([verifyingKey]), { clock: () => T0, replayWindow: 8 });
  const accept = (opener: EnvelopeOpener, seq: number) => opener.open(bySeq(seq), { sid: SID }).header.seq;

  it('accepts the oldest sequence still inside the window, once, and refuses the one just below it', () => {
    const opener = newOpener();
    expect(accept(opener, 20)).toBe(20);
    expect(accept(opener, 13)).toBe(13); // 20 - 8 + 1: the window's lower edge
    expectCode(() => accept(opener, 13), EnvelopeErrorCode.Replay);
    expectCode(() => accept(opener, 12), EnvelopeErrorCode.Replay);
  });

  it('accepts out-of-order sequences within the window exactly once each', () => {
    const opener = newOpener();
    for (const seq of [18, 16, 17, 15]) expect(accept(opener, seq)).toBe(seq);
    for (const seq of [18, 16, 17, 15]) expectCode(() => accept(opener, seq), EnvelopeErrorCode.Replay);
  });

  it('slides: sequences fall out as newer ones arrive', () => {
    const opener = newOpener();
    accept(opener, 10);
    expect(accept(opener, 3)).toBe(3); // 10 - 8 + 1
    accept(opener, 11);
    expectCode(() => accept(opener, 3), EnvelopeErrorCode.Replay);
    expect(accept(opener, 4)).toBe(4);
    accept(opener, 40); // a jump larger than the window clears it
    expectCode(() => accept(opener, 32), EnvelopeErrorCode.Replay);
    expect(accept(opener, 33)).toBe(33);
  });

  it('keeps one window per (session, key): the same sequence from another key or session is fresh', () => {
    const other = generateKeyPair('p256');
    const opener = new EnvelopeOpener(new KeyRing([verifyingKey, other.verifyingKey]), { clock: () => T0 });
    const otherSealer = new EnvelopeSealer(other.signingKey, { clock: () => T0 });
    expect(accept(opener, 1)).toBe(1);
    expect(opener.open(otherSealer.seal('rpc', SID, new Uint8Array()), { sid: SID }).header.seq).toBe(1);
    const elsewhere = new EnvelopeSealer(signingKey, { clock: () => T0 }).seal(
      'rpc',
      'sess-other',
      new Uint8Array(),
    );
    expect(opener.open(elsewhere, { sid: 'sess-other' }).header.seq).toBe(1);
  });
});

describe('ReplayWindow', () => {
  it('agrees with a reference model (accept iff newer than top - size and never seen)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 5, 31, 32, 33, 64, 100),
        fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 300 }),
        (size, seqs) => {
          const window = new ReplayWindow(size);
          const seen = new Set<number>();
          let top = 0;
          for (const seq of seqs) {
            const expected = seq > top - size && !seen.has(seq);
            expect(window.accept(seq)).toBe(expected);
            if (expected) {
              seen.add(seq);
              top = Math.max(top, seq);
            }
          }
        },
      ),
      { seed: 0x5e9, numRuns: 500 },
    );
  });

  it('handles sequences near the largest safe integer', () => {
    const window = new ReplayWindow(1024);
    const high = Number.MAX_SAFE_INTEGER;
    expect(window.accept(high - 1)).toBe(true);
    expect(window.accept(high)).toBe(true);
    expect(window.accept(high - 1)).toBe(false);
    expect(window.accept(high - 1023)).toBe(true);
    expect(window.accept(high - 1024)).toBe(false);
  });
});
