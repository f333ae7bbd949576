import fc from 'fast-check';
import { Packr, Unpackr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import type { EnvelopeHeader } from '../../../../src/transport/envelope/index.js';
import { EnvelopeKind, hmacKey } from '../../../../src/transport/envelope/index.js';
import {
  decodeFrame,
  decodeSigned,
  encodeFrame,
  encodeLeading,
  encodeSigned,
  sealFrame,
} from '../../../../src/transport/envelope/wire.js';
import { expectCode } from './helpers.js';

const visibleAscii = fc.string({
  unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: 128,
});
const printable = (max: number) =>
  fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    maxLength: max,
  });

const header: fc.Arbitrary<EnvelopeHeader> = fc
  .record({
    kind: fc.constantFrom(...Object.values(EnvelopeKind)),
    sid: visibleAscii,
    kid: visibleAscii,
    seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    ts: fc.oneof(fc.integer({ min: 0, max: 2 ** 45 }), fc.double({ noNaN: true, noDefaultInfinity: true })),
    trace: fc.option(
      fc.record({
        traceparent: printable(256).filter((s) => s.length > 0),
        tracestate: fc.option(printable(512), { nil: undefined }),
      }),
      { nil: undefined },
    ),
  })
  .map(({ trace, ...rest }) => {
    const cleanTrace = trace && (trace.tracestate === undefined ? { traceparent: trace.traceparent } : trace);
    return { v: 1, ...rest, ...(cleanTrace ? { trace: cleanTrace } : {}) };
  });

describe('wire layout', () => {
  it('decodes what msgpackr encodes to the same values msgpackr itself decodes', () => {
    const unpackr = new Unpackr({ useRecords: false, structuredClone: false, mapsAsObjects: true });
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 600 }), (h, body) => {
        const signed = encodeSigned(h, body);
        const decoded = decodeSigned(signed);
        expect(decoded).toEqual({ header: h, body });
        const reference = unpackr.unpack(signed) as unknown[];
        expect([decoded.header.v, decoded.header.kind, decoded.header.sid, decoded.header.kid]).toEqual(
          reference.slice(0, 4),
        );
        expect([decoded.header.seq, decoded.header.ts]).toEqual(reference.slice(4, 6));
      }),
      { seed: 0xf1e1d, numRuns: 500 },
    );
  });

  it('encodes byte for byte as msgpackr does in the fixed configuration, frame built in place', () => {
    const packr = new Packr({
      useRecords: false,
      structuredClone: false,
      bundleStrings: false,
      moreTypes: false,
    });
    const key = hmacKey('k', new Uint8Array(32).fill(7));
    const anyNumber = fc.oneof(
      fc.integer({ min: -(2 ** 31), max: 2 ** 32 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(
        0,
        -0,
        0x7f,
        0x80,
        0xff,
        0x100,
        0xffff,
        0x10000,
        -0x20,
        -0x21,
        -0x80,
        -0x81,
        -0x8000,
        -0x8001,
      ),
    );
    // Every bin header size: bin8, bin16 and bin32 bodies, at and around their limits.
    const anyBody = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      fc.constantFrom(255, 256, 65_535, 65_536).map((size) => new Uint8Array(size).fill(size & 0xff)),
    );
    fc.assert(
      fc.property(header, anyNumber, anyBody, (h, ts, body) => {
        const { v, kind, sid, kid, seq, trace } = h;
        const reference = packr.pack([
          v,
          kind,
          sid,
          kid,
          seq,
          ts,
          trace?.traceparent ?? null,
          trace?.tracestate ?? null,
          body,
        ]);
        const signed = encodeSigned({ ...h, ts }, body);
        expect(Buffer.from(signed).equals(reference)).toBe(true);
        const framed = sealFrame(encodeLeading(h), { seq, ts, trace, body }, key);
        expect(Buffer.from(framed).equals(encodeFrame(reference, key.sign(reference)))).toBe(true);
      }),
      { seed: 0x5ea1, numRuns: 300 },
    );
  });

  it('frames with the shortest bin headers and refuses any other framing', () => {
    for (const size of [0, 255, 256, 65_535, 65_536]) {
      const signed = Buffer.alloc(size, 1);
      const signature = Buffer.alloc(64, 2);
      const decoded = decodeFrame(encodeFrame(signed, signature));
      expect(
        Buffer.from(decoded.signed).equals(signed) && Buffer.from(decoded.signature).equals(signature),
      ).toBe(true);
    }
    const framed = encodeFrame(new Uint8Array(10), new Uint8Array(64));
    // Same content with a bin16 header for the 10-byte signed part.
    const padded = Buffer.concat([Buffer.from([0x92, 0xc5, 0x00, 0x0a]), framed.subarray(3)]);
    expectCode(() => decodeFrame(padded), 'ERR_ENVELOPE_MALFORMED');
  });
});
