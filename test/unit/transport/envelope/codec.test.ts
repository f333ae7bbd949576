import { describe, expect, it } from 'vitest';
import type { SigningKey, VerifyingKey } from '../../../../src/transport/envelope/index.js';
import {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_CLOCK_SKEW_MS,
  DEFAULT_REPLAY_WINDOW,
  EnvelopeErrorCode,
  EnvelopeOpener,
  EnvelopeOptionsError,
  EnvelopeSealer,
  generateKeyPair,
  KeyRing,
  parseEnvelopeLimits,
} from '../../../../src/transport/envelope/index.js';
import { expectCode, freshHmacKey, steppedClock, T0, text } from './helpers.js';

const SID = 'sess-1';
const TRACE = {
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  tracestate: 'vendor=x',
};

function pair(alg: 'ed25519' | 'p256' | 'hmac'): { signing: SigningKey; verifying: VerifyingKey } {
  if (alg === 'hmac') {
    const key = freshHmacKey();
    return { signing: key, verifying: key };
  }
  const { signingKey, verifyingKey } = generateKeyPair(alg);
  return { signing: signingKey, verifying: verifyingKey };
}

function setup(options: ConstructorParameters<typeof EnvelopeOpener>[1] = {}) {
  const clock = steppedClock();
  const { signing, verifying } = pair('ed25519');
  const sealer = new EnvelopeSealer(signing, { clock });
  const opener = new EnvelopeOpener(new KeyRing([verifying]), { clock, ...options });
  return { clock, signing, verifying, sealer, opener };
}

describe('envelope round trip', () => {
  for (const alg of ['ed25519', 'p256', 'hmac'] as const) {
    for (const trace of [undefined, TRACE, { traceparent: TRACE.traceparent }]) {
      it(`${alg}, ${trace ? `trace ${Object.keys(trace).join('+')}` : 'no trace'}`, () => {
        const { signing, verifying } = pair(alg);
        const sealer = new EnvelopeSealer(signing, { clock: () => T0 });
        const opener = new EnvelopeOpener(new KeyRing([verifying]), { clock: () => T0 });
        const body = text('{"jsonrpc":"2.0","id":7,"method":"tools/call"}');
        const opened = opener.open(sealer.seal('rpc', SID, body, trace), { sid: SID, kinds: ['rpc'] });
        expect(opened).toEqual({
          header: {
            v: 1,
            kind: 'rpc',
            sid: SID,
            kid: signing.kid,
            seq: 1,
            ts: T0,
            ...(trace ? { trace } : {}),
          },
          body,
        });
      });
    }
  }

  it('numbers each session from 1, independently', () => {
    const { sealer, opener } = setup();
    const seqOf = (sid: string) => opener.open(sealer.seal('rpc', sid, new Uint8Array()), { sid }).header.seq;
    expect([seqOf('a'), seqOf('a'), seqOf('b'), seqOf('a')]).toEqual([1, 2, 1, 3]);
  });

  it('carries bodies that need 32-bit lengths', () => {
    const { sealer, opener } = setup();
    const body = Buffer.alloc(70_000, 0xab);
    const opened = opener.open(sealer.seal('rpc', SID, body), { sid: SID }).body;
    expect(Buffer.from(opened).equals(body)).toBe(true);
  });

  it('refuses to seal what no receiver would accept', () => {
    const { sealer } = setup();
    expectCode(() => sealer.seal('rpc', 'has space', new Uint8Array()), EnvelopeErrorCode.Malformed);
    expectCode(() => sealer.seal('ping' as 'rpc', SID, new Uint8Array()), EnvelopeErrorCode.Malformed);
    expectCode(
      () => sealer.seal('rpc', SID, new Uint8Array(), { traceparent: '' }),
      EnvelopeErrorCode.Malformed,
    );
  });
});

describe('envelope rejections', () => {
  it('ERR_ENVELOPE_MALFORMED for truncated bytes', () => {
    const { sealer, opener } = setup();
    const bytes = sealer.seal('rpc', SID, text('hello'));
    expectCode(
      () => opener.open(bytes.subarray(0, bytes.length - 1), { sid: SID }),
      EnvelopeErrorCode.Malformed,
    );
  });

  it('ERR_ENVELOPE_MALFORMED for garbage, and for a non-byte input', () => {
    const { opener } = setup();
    expectCode(() => opener.open(text('{"not":"msgpack"}'), { sid: SID }), EnvelopeErrorCode.Malformed);
    expectCode(() => opener.open('text' as unknown as Uint8Array, { sid: SID }), EnvelopeErrorCode.Malformed);
  });

  it('ERR_ENVELOPE_VERSION for a version this build does not speak', () => {
    const { sealer, opener } = setup();
    const bytes = sealer.seal('rpc', SID, text('x'));
    // Byte 4 is the version: frame fixarray, bin8 tag and length, then the header's fixarray.
    expect(bytes[4]).toBe(1);
    bytes[4] = 2;
    expectCode(() => opener.open(bytes, { sid: SID }), EnvelopeErrorCode.Version);
  });

  it('ERR_ENVELOPE_OVERSIZE for a body over the limit, before any signature work', () => {
    const { sealer, opener } = setup({ maxBodyBytes: 16 });
    expect(opener.open(sealer.seal('rpc', SID, new Uint8Array(16)), { sid: SID }).body).toHaveLength(16);
    expectCode(
      () => opener.open(sealer.seal('rpc', SID, new Uint8Array(17)), { sid: SID }),
      EnvelopeErrorCode.Oversize,
    );
    expectCode(() => opener.open(new Uint8Array(16 + 4096), { sid: SID }), EnvelopeErrorCode.Oversize);
  });

  it('ERR_ENVELOPE_UNKNOWN_KEY for a key the receiver does not trust', () => {
    const { clock, opener } = setup();
    const stranger = new EnvelopeSealer(generateKeyPair('ed25519').signingKey, { clock });
    expectCode(
      () => opener.open(stranger.seal('rpc', SID, text('x')), { sid: SID }),
      EnvelopeErrorCode.UnknownKey,
    );
  });

  it('ERR_ENVELOPE_UNKNOWN_KEY once a key is removed from the ring', () => {
    const { sealer, verifying, clock } = setup();
    const ring = new KeyRing([verifying]);
    const opener = new EnvelopeOpener(ring, { clock });
    opener.open(sealer.seal('rpc', SID, text('x')), { sid: SID });
    ring.delete(verifying.kid);
    expectCode(
      () => opener.open(sealer.seal('rpc', SID, text('x')), { sid: SID }),
      EnvelopeErrorCode.UnknownKey,
    );
  });

  it('ERR_ENVELOPE_SIGNATURE for a tampered body, and the forgery burns no sequence number', () => {
    const { sealer, opener } = setup();
    const bytes = sealer.seal('rpc', SID, text('transfer 10'));
    const forged = Uint8Array.from(bytes);
    forged[bytes.length - 67]! ^= 0x01; // last body byte, just before the bin8 signature header
    expectCode(() => opener.open(forged, { sid: SID }), EnvelopeErrorCode.Signature);
    expect(opener.open(bytes, { sid: SID }).body).toEqual(text('transfer 10'));
  });

  it('ERR_ENVELOPE_SIGNATURE for a signature made by another key under a trusted key id', () => {
    const { clock, verifying, opener } = setup();
    const impostor = generateKeyPair('ed25519').signingKey;
    const lying = { kid: verifying.kid, alg: impostor.alg, sign: (data: Uint8Array) => impostor.sign(data) };
    expectCode(
      () => opener.open(new EnvelopeSealer(lying, { clock }).seal('rpc', SID, text('x')), { sid: SID }),
      EnvelopeErrorCode.Signature,
    );
  });

  it('ERR_ENVELOPE_WRONG_SESSION for an envelope of another session', () => {
    const { sealer, opener } = setup();
    expectCode(
      () => opener.open(sealer.seal('rpc', 'sess-2', text('x')), { sid: SID }),
      EnvelopeErrorCode.WrongSession,
    );
  });

  it('ERR_ENVELOPE_WRONG_KIND for a kind not accepted here', () => {
    const { sealer, opener } = setup();
    expectCode(
      () => opener.open(sealer.seal('hello', SID, text('x')), { sid: SID, kinds: ['rpc'] }),
      EnvelopeErrorCode.WrongKind,
    );
  });

  it('ERR_ENVELOPE_STALE outside the clock skew, accepted exactly at its edge', () => {
    const { clock, signing, verifying } = setup();
    const sealer = new EnvelopeSealer(signing, { clock: () => T0 });
    const opener = new EnvelopeOpener(new KeyRing([verifying]), { clock, maxClockSkewMs: 1_000 });
    clock.advance(1_000);
    expect(opener.open(sealer.seal('rpc', SID, text('x')), { sid: SID }).header.ts).toBe(T0);
    clock.advance(1);
    expectCode(() => opener.open(sealer.seal('rpc', SID, text('x')), { sid: SID }), EnvelopeErrorCode.Stale);
    clock.advance(-2_002);
    expectCode(() => opener.open(sealer.seal('rpc', SID, text('x')), { sid: SID }), EnvelopeErrorCode.Stale);
  });

  it('ERR_ENVELOPE_REPLAY for the same envelope twice', () => {
    const { sealer, opener } = setup();
    const bytes = sealer.seal('rpc', SID, text('x'));
    opener.open(bytes, { sid: SID });
    expectCode(() => opener.open(bytes, { sid: SID }), EnvelopeErrorCode.Replay);
  });

  it('never throws anything but EnvelopeError, even when the key resolver or key misbehaves', () => {
    const { sealer } = setup();
    const bytes = sealer.seal('rpc', SID, text('x'));
    const throwingRing = {
      get: () => {
        throw new TypeError('boom');
      },
    };
    expectCode(
      () => new EnvelopeOpener(throwingRing).open(bytes, { sid: SID }),
      EnvelopeErrorCode.UnknownKey,
    );
    const throwingKey = {
      kid: 'any',
      alg: 'ed25519' as const,
      verify: () => {
        throw new RangeError('boom');
      },
    };
    const ring = { get: () => throwingKey };
    expectCode(() => new EnvelopeOpener(ring).open(bytes, { sid: SID }), EnvelopeErrorCode.Signature);
  });
});

describe('envelope limits', () => {
  it('defaults to 1 MiB bodies, 30 s skew and a 1024-sequence window', () => {
    expect(parseEnvelopeLimits()).toEqual({
      maxBodyBytes: 1024 * 1024,
      maxClockSkewMs: 30_000,
      replayWindow: 1024,
    });
    expect([DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CLOCK_SKEW_MS, DEFAULT_REPLAY_WINDOW]).toEqual([
      1048576, 30000, 1024,
    ]);
  });

  it.each([
    [{ maxBodyBytes: 0 }],
    [{ maxBodyBytes: 1.5 }],
    [{ maxClockSkewMs: -1 }],
    [{ maxClockSkewMs: Number.POSITIVE_INFINITY }],
    [{ replayWindow: 0 }],
    [{ replayWindow: 1 << 20 }],
  ])('rejects %o with a message naming the field', (limits) => {
    expect(() => parseEnvelopeLimits(limits)).toThrow(EnvelopeOptionsError);
    expect(() => new EnvelopeOpener(new KeyRing(), limits)).toThrow(Object.keys(limits)[0]!);
  });
});
